"""Public, read-only JSON for partner sites: statements, live counts, listed signatories."""
