"""Places: the per-event lock, the count of confirmed places, and where someone waits.

Places are guarded by one lock per event: every change that takes or frees a place runs
`_lock_event` first, inside the transaction that then counts and writes. On PostgreSQL that
is `SELECT ... FOR UPDATE` on the event row; on SQLite a no-op UPDATE of the row makes the
transaction the database's single writer before it counts. Ticket capacities are counted
under the same event lock, so neither the event's nor a ticket's places are ever exceeded.
"""
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from campaign.common.time import utcnow
from campaign.events.errors import EventNotFound
from campaign.events.models import Event, Registration, RegistrationStatus, TicketType
from campaign.extensions import db


@contextmanager
def _locked(event_id: int):
    """One transaction holding the event's lock: committed at the end, rolled back on any error."""
    try:
        yield _lock_event(event_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _lock_event(event_id: int) -> Event:
    """Take the event's lock for the rest of this transaction and return the row as it is now."""
    if db.session.get_bind().dialect.name == "postgresql":
        event = db.session.scalars(
            select(Event).where(Event.id == event_id).with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    else:
        db.session.execute(
            update(Event).where(Event.id == event_id).values(id=Event.id)
            .execution_options(synchronize_session=False)
        )
        event = db.session.get(Event, event_id, populate_existing=True)
    if event is None:
        raise EventNotFound(_("This event no longer exists."))
    return event


@dataclass(frozen=True)
class Figures:
    confirmed: int
    waitlisted: int
    checked_in: int
    awaiting_payment: int
    capacity: int | None

    @property
    def places_left(self) -> int | None:
        return (None if self.capacity is None
                else max(self.capacity - self.confirmed - self.awaiting_payment, 0))

    @property
    def registered(self) -> int:
        """Confirmed, paying or waiting: everyone not cancelled, whom cancelling the event emails."""
        return self.confirmed + self.waitlisted + self.awaiting_payment


def figures(event: Event) -> Figures:
    status_counts = dict(db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id).group_by(Registration.status)
    ).all())
    checked_in = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.confirmed,
            Registration.checked_in_at.is_not(None),
        )
    )
    return Figures(
        confirmed=status_counts.get(RegistrationStatus.confirmed, 0),
        waitlisted=status_counts.get(RegistrationStatus.waitlisted, 0),
        checked_in=checked_in or 0,
        awaiting_payment=status_counts.get(RegistrationStatus.awaiting_payment, 0),
        capacity=event.capacity,
    )


def tickets_full(event: Event) -> set[int]:
    """Ids of the ticket types that have no confirmed place left (the event's own limit included)."""
    total, per_ticket = _confirmed_counts(event.id)
    return {ticket.id for ticket in event.ticket_types
            if not _has_room(event, ticket, total, per_ticket)}


def _confirmed_counts(event_id: int) -> tuple[int, dict[int, int]]:
    """The places taken, overall and per ticket: confirmed ones, and places still held for
    someone paying online (a hold past its time takes no place, even before it is released)."""
    per_ticket = dict(db.session.execute(
        select(Registration.ticket_type_id, func.count())
        .where(Registration.event_id == event_id, _takes_a_place())
        .group_by(Registration.ticket_type_id)
    ).all())
    return sum(per_ticket.values()), per_ticket


def _takes_a_place():
    return or_(Registration.status == RegistrationStatus.confirmed,
               and_(Registration.status == RegistrationStatus.awaiting_payment,
                    Registration.hold_until > utcnow()))


def _has_room(event: Event, ticket: TicketType, total: int, per_ticket: dict[int, int]) -> bool:
    if event.capacity is not None and total >= event.capacity:
        return False
    return ticket.capacity is None or per_ticket.get(ticket.id, 0) < ticket.capacity


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None unless on the waiting list."""
    if not registration.is_on_waiting_list:
        return None
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            or_(Registration.created_at < registration.created_at,
                and_(Registration.created_at == registration.created_at,
                     Registration.id <= registration.id)),
        )
    )
