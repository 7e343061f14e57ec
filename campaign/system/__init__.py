"""Process and readiness probes for load balancers and orchestrators."""
