"""Stripe Checkout joins the events' payment methods (importing the service registers it)."""
from campaign.payments import service  # noqa: F401
