"""The calls made to Stripe: create and retrieve Checkout Sessions, create refunds, and verify
a webhook's signature. Nothing else here talks to the provider.

STRIPE_API_BASE points the client elsewhere (the tests' local fake of Stripe's API).
No card data passes through: the card is typed on Stripe's page.
"""
from datetime import datetime
from importlib import import_module
from types import ModuleType

from flask import current_app

#: Stripe lets a Checkout Session expire no sooner than 30 minutes after it is created.
SHORTEST_SESSION_MINUTES = 30


class ProviderError(Exception):
    """Stripe refused a request or could not be reached; `message` is safe to show and keep."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidWebhook(Exception):
    """A webhook whose signature does not verify, or that is not a Stripe event at all."""


def _stripe() -> ModuleType:
    """Stripe's SDK, imported on first use: it adds about 10 MB to a process, and most
    processes (the command line, the mail sender, a worker that takes no payment) never call it.
    """
    return import_module("stripe")


def is_configured() -> bool:
    return bool(current_app.config["STRIPE_SECRET_KEY"]
                and current_app.config["STRIPE_WEBHOOK_SECRET"])


def _client():
    base = current_app.config["STRIPE_API_BASE"]
    return _stripe().StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def _calling(call):
    try:
        return call()
    except _stripe().StripeError as error:
        # user_message and code carry no card data; the raw body is never kept.
        raise ProviderError(str(error.user_message or error.code or type(error).__name__)[:500]) \
            from error


def create_session(*, amount_minor: int, currency: str, description: str, email: str | None,
                   reference: str, success_url: str, cancel_url: str, expires_at: datetime,
                   idempotency_key: str):
    """A one-off Checkout Session for `amount_minor` of `currency`, paid by card on Stripe's page."""
    params = {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {"currency": currency.lower(), "unit_amount": amount_minor,
                           "product_data": {"name": description[:250]}},
        }],
        "client_reference_id": reference,
        "metadata": {"reference": reference},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }
    if email:
        params["customer_email"] = email
    return _calling(lambda: _client().v1.checkout.sessions.create(
        params, {"idempotency_key": idempotency_key}))


def retrieve_session(session_id: str):
    return _calling(lambda: _client().v1.checkout.sessions.retrieve(session_id))


def create_refund(*, payment_intent: str, amount_minor: int, idempotency_key: str):
    return _calling(lambda: _client().v1.refunds.create(
        {"payment_intent": payment_intent, "amount": amount_minor},
        {"idempotency_key": idempotency_key}))


def verified_event(payload: bytes, signature_header: str | None):
    """The event in a webhook's body, once its `Stripe-Signature` verifies with the secret."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret or not signature_header:
        raise InvalidWebhook("no signature")
    try:
        return _stripe().Webhook.construct_event(payload, signature_header, secret)
    except (_stripe().SignatureVerificationError, ValueError) as error:
        raise InvalidWebhook(str(error)) from error
