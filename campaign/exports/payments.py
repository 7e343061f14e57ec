"""Payments taken online as CSV: an event's or an appeal's, for the dashboard download.

The one CSV writer (`exports.csv`) neutralises formula-like cells; the export is audited.
No card data exists to export: the provider's references stand for the payment.
"""
from collections.abc import Iterator
from datetime import date

from campaign.audit.service import record
from campaign.events.money import to_major_text
from campaign.exports.csv import csv_lines
from campaign.extensions import db
from campaign.payments.models import Payment

HEADER = [
    "created_at", "kind", "registration", "name", "amount", "currency", "method", "state",
    "paid_at", "refunded", "refund_state", "provider_session", "provider_payment",
]


def payments_csv(payments: list[Payment], about: str, bom: bool = False) -> Iterator[str]:
    """`about` names what was exported in the audit log ("event:<slug>" or the appeal)."""
    record("payments.export", about)
    db.session.commit()
    return csv_lines(HEADER, (_row(payment) for payment in payments), bom=bom)


def _row(payment: Payment) -> list:
    registration = payment.registration
    last_refund = payment.refunds[-1] if payment.refunds else None
    return [
        payment.created_at, payment.kind.value, registration.reference if registration else "",
        registration.name if registration else payment.name,
        to_major_text(payment.amount_minor, payment.currency), payment.currency, payment.method,
        payment.state.value, payment.paid_at,
        to_major_text(payment.refunded_minor, payment.currency),
        last_refund.state.value if last_refund else "",
        payment.provider_session_id or "", payment.provider_payment_id or "",
    ]


def export_filename(name: str, today: date) -> str:
    return f"payments-{name}-{today.isoformat()}.csv"
