"""Signatures: signing, confirming, withdrawing, moderation and the duplicate rules."""
