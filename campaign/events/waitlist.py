"""The waiting list: free places go to the people waiting, in order, and an organizer may move
someone on or off it by hand. A place for a ticket paid online is held while they pay."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from campaign.common.time import utcnow
from campaign.events.emails import email_registrant
from campaign.events.errors import NoPlaceLeft
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.events.payments import method_for
from campaign.events.places import _confirmed_counts, _has_room, _locked
from campaign.events.signals import registration_changed
from campaign.extensions import db
from campaign.audit.service import record


def _give_place(registration: Registration) -> None:
    """Confirm the place, or, when it is paid online and not paid yet, hold it while they pay."""
    if registration.paid_at is None and method_for(registration).holds_place(registration):
        registration.status = RegistrationStatus.awaiting_payment
        registration.hold_until = utcnow() + timedelta(
            minutes=current_app.config["PAYMENT_HOLD_MINUTES"])
    else:
        registration.status = RegistrationStatus.confirmed
        registration.hold_until = None


def _notify_place_given(registration: Registration) -> None:
    if registration.is_awaiting_payment:
        email_registrant(registration, "registration_awaiting_payment",
                         _l("Pay to keep your place: %(title)s"))
    else:
        email_registrant(registration, "registration_promoted", _l("A place for you: %(title)s"))


def _release_expired_holds(event: Event) -> None:
    """Places held past their time go back (the caller holds the event lock, then promotes)."""
    expired = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.awaiting_payment,
                                   Registration.hold_until <= utcnow())
    ).all()
    for registration in expired:
        _end_hold(registration)


def _end_hold(registration: Registration) -> None:
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = utcnow()
    registration.hold_until = None
    email_registrant(registration, "registration_hold_expired",
                     _l("Your place was released: %(title)s"))
    record("registration.hold_expired", f"registration:{registration.reference}",
           f"event:{registration.event.slug}", actor="system")


def _promote_waitlisted(event: Event) -> list[Registration]:
    """Give free places to the waiting list in order, skipping people whose ticket is full.
    Expired holds are released first, so their places count as free.

    The caller holds the event lock and commits.
    """
    _release_expired_holds(event)
    total, per_ticket = _confirmed_counts(event.id)
    promoted = []
    waiting = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in waiting:
        if event.capacity is not None and total >= event.capacity:
            break
        if not _has_room(event, registration.ticket_type, total, per_ticket):
            continue
        _give_place(registration)
        registration_changed.send(registration, before=RegistrationStatus.waitlisted)
        total += 1
        per_ticket[registration.ticket_type_id] = per_ticket.get(registration.ticket_type_id, 0) + 1
        promoted.append(registration)
        _notify_place_given(registration)
    return promoted


def confirm_from_waitlist(registration: Registration) -> Registration:
    """An organizer gives a waiting person a place, if the event and their ticket have one."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if not registration.is_on_waiting_list:
            return registration
        _release_expired_holds(event)
        total, per_ticket = _confirmed_counts(event.id)
        if not _has_room(event, registration.ticket_type, total, per_ticket):
            raise NoPlaceLeft(_("There is no place left for this ticket. Raise the capacity first."))
        _give_place(registration)
        registration_changed.send(registration, before=RegistrationStatus.waitlisted)
        _notify_place_given(registration)
        record("registration.confirm", f"registration:{registration.reference}",
               f"event:{event.slug}")
    return registration


def move_to_waitlist(registration: Registration) -> Registration:
    """An organizer moves a confirmed registrant back to the waiting list.

    Their place in the queue follows when they registered. The freed place is not handed on
    automatically: the organizer chose to free it and decides who gets it.
    """
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if not registration.is_confirmed:
            return registration
        registration.status = RegistrationStatus.waitlisted
        registration.checked_in_at = None
        registration_changed.send(registration, before=RegistrationStatus.confirmed)
        email_registrant(registration, "registration_waitlisted",
                         _l("On the waiting list: %(title)s"))
        record("registration.waitlist", f"registration:{registration.reference}",
               f"event:{event.slug}")
    return registration
