"""An event's registrants as CSV, for the dashboard download and `flask registrations export` alike.

Same safety as the signatory export: one header row, RFC 4180, formula-like cells neutralised,
rows read in batches and written one at a time, and every export recorded in the audit log.
"""
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from campaign.events.models import Event, Registration, TicketType
from campaign.events.money import to_major_text
from campaign.exports.csv import csv_lines
from campaign.extensions import db
from campaign.audit.service import record

HEADER = [
    "reference", "name", "email", "affiliation", "ticket", "status", "amount", "currency",
    "paid_at", "checked_in_at", "registered_at", "cancelled_at",
]
_BATCH = 1000


def registrations_csv(event: Event, bom: bool = False, actor=None) -> Iterator[str]:
    """The export, line by line; the audit entry is committed before the first line."""
    record("registrations.export", f"event:{event.slug}", actor=actor)
    db.session.commit()
    return csv_lines(HEADER, _rows(event.id), bom=bom)


def export_filename(event: Event, today: date) -> str:
    return f"registrations-{event.slug}-{today.isoformat()}.csv"


def _rows(event_id: int) -> Iterator[list]:
    """Every registration in the order people registered, cancelled ones included (and marked)."""
    query = (
        select(Registration.reference, Registration.name, Registration.email,
               Registration.affiliation, TicketType.name, Registration.status,
               Registration.amount_minor, Registration.currency, Registration.paid_at,
               Registration.checked_in_at, Registration.created_at, Registration.cancelled_at)
        .join(TicketType, TicketType.id == Registration.ticket_type_id)
        .where(Registration.event_id == event_id)
        .order_by(Registration.created_at, Registration.id)
        .execution_options(yield_per=_BATCH)
    )
    for (reference, name, email, affiliation, ticket, status, amount, currency, paid_at,
         checked_in_at, registered_at, cancelled_at) in db.session.execute(query):
        yield [reference, name, email or "", affiliation, ticket, status.value,
               to_major_text(amount, currency), currency, paid_at, checked_in_at,
               registered_at, cancelled_at]
