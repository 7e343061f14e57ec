"""Abuse review: refused signing attempts, surges from one address, domain or country, hidden batches."""
