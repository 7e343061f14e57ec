"""The duties of holding political opinions: audit log, subject access, erasure, retention."""
