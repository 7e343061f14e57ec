"""Organisations endorsing a statement: submitted publicly and approved, or entered by organizers."""
