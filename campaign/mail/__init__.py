"""The outbox: every message is written in the same transaction as what it is about, then sent."""
