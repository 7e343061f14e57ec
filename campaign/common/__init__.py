"""Small helpers shared by every domain: time, text and email rules."""
