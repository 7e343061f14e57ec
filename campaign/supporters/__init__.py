"""Supporters: one record per campaign and address, and their subscription to updates."""
