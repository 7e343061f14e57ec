"""Signed webhooks: partner systems are told, over HTTPS, when signatures and registrations change."""
