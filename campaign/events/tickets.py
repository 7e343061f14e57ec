"""Tickets and the appeal: what a place costs (or what a registrant may pledge), the appeal the
pledges go to, and what the registrations have pledged and paid."""
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.events.errors import EventError
from campaign.events.models import Appeal, Event, Registration, RegistrationStatus, TicketType
from campaign.events.money import format_money, minor_units
from campaign.events.places import _locked
from campaign.events.waitlist import _promote_waitlisted
from campaign.extensions import db
from campaign.audit.service import record


@dataclass
class TicketDetails:
    name: str
    price_minor: int = 0
    currency: str = "GBP"
    description: str = ""
    #: Set for pay-what-you-can tickets: the least a registrant may pledge.
    min_price_minor: int | None = None
    capacity: int | None = None
    #: Comma-separated names of the payment methods offered (events.payments.METHODS).
    payment_methods: str = "pay_later"


def add_ticket(event: Event, details: TicketDetails) -> TicketType:
    last = db.session.scalar(
        select(func.max(TicketType.position)).where(TicketType.event_id == event.id)
    )
    ticket = TicketType(event_id=event.id, position=(last or 0) + 1)
    _apply_ticket(ticket, details)
    db.session.add(ticket)
    record("event.ticket_add", f"event:{event.slug}", details.name)
    db.session.commit()
    return ticket


def update_ticket(ticket: TicketType, details: TicketDetails) -> TicketType:
    """Save a ticket's changes; more places move people up from the waiting list."""
    with _locked(ticket.event_id) as event:
        _apply_ticket(ticket, details)
        db.session.flush()
        _promote_waitlisted(event)
        record("event.ticket_update", f"event:{event.slug}", details.name)
    return ticket


def _apply_ticket(ticket: TicketType, details: TicketDetails) -> None:
    if details.min_price_minor is not None and details.min_price_minor > details.price_minor:
        raise EventError(_("The minimum cannot be more than the suggested price."),
                         field="min_price")
    ticket.name = details.name
    ticket.description = details.description
    ticket.price_minor = details.price_minor
    ticket.currency = details.currency
    ticket.min_price_minor = details.min_price_minor
    ticket.capacity = details.capacity
    ticket.payment_methods = details.payment_methods


def delete_ticket(ticket: TicketType) -> None:
    taken = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.ticket_type_id == ticket.id)
    )
    if taken:
        raise EventError(_("People have registered with this ticket, so it cannot be deleted. "
                           "Set its places to 0 to stop new registrations."))
    record("event.ticket_delete", f"event:{ticket.event.slug}", ticket.name)
    db.session.delete(ticket)
    db.session.commit()


def largest_ticket_price(currency: str) -> int:
    """The most a ticket may cost, or a registrant pledge for one, in minor units of `currency`
    (MAX_TICKET_PRICE of that currency)."""
    return minor_units(current_app.config["MAX_TICKET_PRICE"], currency)


def largest_appeal_target(currency: str) -> int:
    """The largest target an appeal may have, in minor units (MAX_APPEAL_TARGET of `currency`)."""
    return minor_units(current_app.config["MAX_APPEAL_TARGET"], currency)


def is_pay_what_you_can(ticket: TicketType) -> bool:
    return ticket.min_price_minor is not None


def has_paid_tickets(event: Event) -> bool:
    """Whether some ticket costs money, so the pages say how it is paid."""
    return any(ticket.price_minor for ticket in event.ticket_types)


def pledged_amount(ticket: TicketType, amount_minor: int | None) -> int:
    """What a registrant pledges: the ticket's price, or for pay-what-you-can what they chose."""
    if not is_pay_what_you_can(ticket):
        return ticket.price_minor
    if amount_minor is None:
        return ticket.price_minor
    if amount_minor < ticket.min_price_minor:
        raise EventError(
            _("Pledge at least %(amount)s for this ticket.",
              amount=format_money(ticket.min_price_minor, ticket.currency)),
            field="amount",
        )
    return amount_minor


@dataclass
class AppealDetails:
    name: str
    description: str = ""
    target_minor: int | None = None
    currency: str = "GBP"
    website: str = ""


def save_appeal(event: Event, details: AppealDetails) -> Appeal:
    """Create the event's appeal, or update the one it already has."""
    if details.website and urlsplit(details.website).scheme not in ("http", "https"):
        raise EventError(_("The website must start with https://"), field="website")
    appeal = event.appeal or Appeal(campaign_id=event.campaign_id)
    appeal.name = details.name
    appeal.description = details.description
    appeal.target_minor = details.target_minor
    appeal.currency = details.currency
    appeal.website = details.website
    event.appeal = appeal
    record("event.appeal_save", f"event:{event.slug}", details.name)
    db.session.commit()
    return appeal


def detach_appeal(event: Event) -> None:
    event.appeal = None
    record("event.appeal_detach", f"event:{event.slug}")
    db.session.commit()


@dataclass(frozen=True)
class Pledges:
    currency: str
    pledged_minor: int
    paid_minor: int


def appeal_pledges(event: Event) -> list[Pledges]:
    """What this event's registrations pledged, and paid, per currency (cancelled ones left out)."""
    paid = func.sum(Registration.amount_minor).filter(Registration.paid_at.is_not(None))
    rows = db.session.execute(
        select(Registration.currency, func.sum(Registration.amount_minor), paid)
        .where(Registration.event_id == event.id,
               Registration.status != RegistrationStatus.cancelled,
               Registration.amount_minor > 0)
        .group_by(Registration.currency)
        .order_by(Registration.currency)
    )
    return [Pledges(currency, int(pledged or 0), int(paid_sum or 0))
            for currency, pledged, paid_sum in rows]
