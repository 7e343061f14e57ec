"""Registering and cancelling: whether registration is open, a place or the waiting list for a
new registrant, the reference code read out at the door, and erasing a registrant."""
import enum
import secrets
from datetime import datetime

from blinker import Namespace
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.details import event_ends_at
from campaign.events.emails import email_registrant
from campaign.events.errors import EventError, RegistrationClosed
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.events.payments import DEFAULT_METHOD, METHODS, method_for
from campaign.events.places import _confirmed_counts, _has_room, _lock_event, _locked
from campaign.events.signals import registration_changed
from campaign.events.tickets import pledged_amount
from campaign.events.waitlist import (
    _end_hold, _give_place, _notify_place_given, _promote_waitlisted,
)
from campaign.extensions import db
from campaign.audit.service import record

#: Reference codes avoid 0/O and 1/I so they can be read out and typed at the door.
#: Sent for every accepted registration, a repeat too, inside its transaction, with the event
#: and `email`, `name`, `wants_updates` (supporters keep their record of the person).
registered = Namespace().signal("registered")

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
_REFERENCE_ATTEMPTS = 10


class RegistrationState(enum.Enum):
    open = "open"
    draft = "draft"
    cancelled = "cancelled"
    not_yet_open = "not_yet_open"
    closed = "closed"
    no_tickets = "no_tickets"

    @property
    def is_open(self) -> bool:
        return self is RegistrationState.open

    @property
    def is_not_yet_open(self) -> bool:
        return self is RegistrationState.not_yet_open


def registration_state(event: Event, now: datetime | None = None) -> RegistrationState:
    now = now or utcnow()
    if event.is_cancelled:
        return RegistrationState.cancelled
    if event.is_draft:
        return RegistrationState.draft
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState.not_yet_open
    if now >= (event.registration_closes_at or event_ends_at(event)):
        return RegistrationState.closed
    if not event.ticket_types:
        return RegistrationState.no_tickets
    return RegistrationState.open


def registration_closed_message(state: RegistrationState) -> str:
    return {
        RegistrationState.draft: _("This event is not published yet."),
        RegistrationState.cancelled: _("This event has been cancelled, so registration is closed."),
        RegistrationState.not_yet_open: _("Registration is not open yet."),
        RegistrationState.closed: _("Registration for this event has closed."),
        RegistrationState.no_tickets: _("Registration is not open yet."),
    }.get(state, "")


def register(
    event: Event, *, name: str, email: str, affiliation: str, ticket_type_id: int,
    amount_minor: int | None, consent_version: str, payment_method: str | None = None,
    wants_updates: bool = False, source: str = "", referrer_domain: str = "",
) -> None:
    """Register someone: a place while there is room, else a place on the waiting list. A place
    paid online (`payment_method`, one the ticket offers) is held while they pay.

    One registration per event per (normalised) email; someone who cancelled may register again.
    An address already registered is sent its details again. Returns nothing on purpose, as
    signing does: the browser must not learn whether the address had registered.
    """
    with _locked(event.id) as event:
        state = registration_state(event)
        if state is not RegistrationState.open:
            raise RegistrationClosed(registration_closed_message(state))
        ticket = next((t for t in event.ticket_types if t.id == ticket_type_id), None)
        if ticket is None:
            raise EventError(_("Choose a ticket from the list."), field="ticket")
        amount = pledged_amount(ticket, amount_minor)
        method = _chosen_method(ticket, amount, payment_method)
        registered.send(event, email=email, name=name, wants_updates=wants_updates)
        registration = _registration_by_email(event.id, email_index(email))
        if registration is not None and not registration.is_cancelled:
            _send_details(registration)
            return
        _promote_waitlisted(event)
        total, per_ticket = _confirmed_counts(event.id)
        before = None if registration is None else registration.status
        if registration is None:
            registration = Registration(event_id=event.id)
        registration.ticket_type_id = ticket.id
        registration.name = name
        registration.email = email
        registration.affiliation = affiliation
        registration.amount_minor = amount
        registration.currency = ticket.currency
        registration.payment_method = method
        registration.paid_at = None
        registration.checked_in_at = None
        registration.cancelled_at = None
        registration.consent_version = consent_version
        registration.source = source
        registration.referrer_domain = referrer_domain
        registration.wants_updates = wants_updates
        registration.language = str(get_locale())
        registration.created_at = utcnow()
        if _has_room(event, ticket, total, per_ticket):
            _give_place(registration)
        else:
            registration.status = RegistrationStatus.waitlisted
            registration.hold_until = None
        registration = _store_with_reference(registration)
        registration_changed.send(registration, before=before)
        _send_details(registration)


def offered_methods(ticket) -> list[str]:
    """The names of the methods a ticket offers that this deployment can take; at least one."""
    return [name for name in ticket.offered_methods
            if name in METHODS and METHODS[name].is_available()] or [DEFAULT_METHOD]


def pays_online(event: Event) -> bool:
    """Whether some paid ticket of the event may be paid online, so the pages say how."""
    return any(ticket.price_minor and not all(METHODS[name].manual
                                              for name in offered_methods(ticket))
               for ticket in event.ticket_types)


def _chosen_method(ticket, amount: int, chosen: str | None) -> str:
    if amount == 0:
        return DEFAULT_METHOD
    offered = offered_methods(ticket)
    if not chosen:
        return offered[0]
    if chosen not in offered:
        raise EventError(_("Choose a way to pay that this ticket offers."), field="payment")
    return chosen


def _registration_by_email(event_id: int, index: str) -> Registration | None:
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.email_index == index)
    ).first()


def _send_details(registration: Registration) -> None:
    if registration.is_awaiting_payment:
        _notify_place_given(registration)
    elif registration.is_confirmed:
        email_registrant(registration, "registration_confirmed",
                         _l("You are registered: %(title)s"))
    elif registration.is_on_waiting_list:
        email_registrant(registration, "registration_waitlisted",
                         _l("On the waiting list: %(title)s"))


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _store_with_reference(registration: Registration) -> Registration:
    """Flush with a fresh unique reference, drawing again on the rare clash (a savepoint per try).

    Returns the address's registration: this one, or the one the unique constraint found first.
    """
    if registration.reference:
        db.session.flush()
        return registration
    for _attempt in range(_REFERENCE_ATTEMPTS):
        registration.reference = new_reference()
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            if _reference_taken(registration.reference):
                continue
            # The event lock rules this out; the unique constraint is the last word all the same.
            existing = _registration_by_email(registration.event_id, registration.email_index)
            if existing is not None:
                return existing
            raise
        return registration
    raise RuntimeError("no free registration reference after several attempts")


def _reference_taken(reference: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.reference == reference)
    ) > 0


def normalise_reference(text: str) -> str:
    """What someone typed or scanned, as a stored reference: capitals, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:REFERENCE_LENGTH * 2]


def cancel_registration(registration: Registration, by_organizer: bool = False) -> Registration:
    """Cancel and give the freed place to the first person waiting who fits it; safe to repeat."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if registration.is_cancelled:
            return registration
        had_place = registration.is_confirmed or registration.is_awaiting_payment
        before = registration.status
        registration.status = RegistrationStatus.cancelled
        registration.cancelled_at = utcnow()
        registration.hold_until = None
        registration_changed.send(registration, before=before)
        refund = method_for(registration).refund(registration) if registration.paid_at else None
        email_registrant(registration, "registration_cancelled",
                         _l("Registration cancelled: %(title)s"), refund=refund)
        if had_place:
            _promote_waitlisted(event)
        record("registration.cancel" if by_organizer else "registration.cancel_self",
               f"registration:{registration.reference}", f"event:{event.slug}",
               actor=None if by_organizer else "registrant")
    return registration


def confirm_payment(registration: Registration, when: datetime) -> bool:
    """The provider says the registrant paid: confirm their place and send the ticket.

    A payment that arrives after the hold was released still gets a place if one is free.
    Returns False when no place can be given (the event was cancelled, or it is full), so the
    caller gives the money back. Safe to repeat.
    """
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if registration.is_confirmed:
            registration.paid_at = registration.paid_at or when
            return True
        if event.is_cancelled:
            return False
        if not (registration.is_awaiting_payment and registration.hold_until > utcnow()):
            total, per_ticket = _confirmed_counts(event.id)
            if not _has_room(event, registration.ticket_type, total, per_ticket):
                return False
        before = registration.status
        registration.status = RegistrationStatus.confirmed
        registration.paid_at = when
        registration.hold_until = None
        registration.cancelled_at = None
        registration_changed.send(registration, before=before)
        _send_details(registration)
        record("registration.paid_online", f"registration:{registration.reference}",
               f"event:{event.slug}", actor="system")
    return True


def release_hold(registration: Registration) -> None:
    """The registrant's checkout expired or was abandoned: the place goes to the waiting list,
    as when someone cancels. Safe to repeat."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if registration.is_awaiting_payment and registration.paid_at is None:
            _end_hold(registration)
            _promote_waitlisted(event)


#: What an erased registrant's name becomes; the row stays so places and pledges add up.
ERASED_NAME = "Erased"


def erase_registration(registration: Registration, reason: str, actor=None,
                       free_place: bool = True) -> Registration:
    """Erase a registrant's personal data: name, email, affiliation and the site they came from.

    On an erasure request (`free_place`) the registration is cancelled too, and its place
    goes to the waiting list as if they had cancelled. For storage limitation after the event
    (`free_place=False`) it keeps its status, so the event's figures and the appeal's totals
    stay as they were. Part of the caller's transaction; audited with `reason`.
    """
    event = _lock_event(registration.event_id) if free_place else None
    db.session.refresh(registration)
    freed = free_place and (registration.is_confirmed or registration.is_awaiting_payment)
    if free_place and not registration.is_cancelled:
        before = registration.status
        registration.status = RegistrationStatus.cancelled
        registration.cancelled_at = utcnow()
        registration_changed.send(registration, before=before)
    registration.name = ERASED_NAME
    registration.email = None
    registration.affiliation = ""
    registration.referrer_domain = ""
    if freed:
        _promote_waitlisted(event)
    record("registration.erase", f"registration:{registration.reference}", reason, actor=actor)
    return registration
