"""The waiting list: free places go to the people waiting, in order, and an organizer may move
someone on or off it by hand."""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from campaign.events.emails import _notify
from campaign.events.errors import NoPlaceLeft
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.events.places import _confirmed_counts, _has_room, _locked
from campaign.extensions import db
from campaign.audit.service import record


def _promote_waitlisted(event: Event) -> list[Registration]:
    """Give free places to the waiting list in order, skipping people whose ticket is full.

    The caller holds the event lock and commits.
    """
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
        registration.status = RegistrationStatus.confirmed
        total += 1
        per_ticket[registration.ticket_type_id] = per_ticket.get(registration.ticket_type_id, 0) + 1
        promoted.append(registration)
        _notify(registration, "registration_promoted",
                _l("A place for you: %(title)s"))
    return promoted


def confirm_from_waitlist(registration: Registration) -> Registration:
    """An organizer gives a waiting person a place, if the event and their ticket have one."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if not registration.is_on_waiting_list:
            return registration
        total, per_ticket = _confirmed_counts(event.id)
        if not _has_room(event, registration.ticket_type, total, per_ticket):
            raise NoPlaceLeft(_("There is no place left for this ticket. Raise the capacity first."))
        registration.status = RegistrationStatus.confirmed
        _notify(registration, "registration_promoted",
                _l("A place for you: %(title)s"))
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
        _notify(registration, "registration_waitlisted",
                _l("On the waiting list: %(title)s"))
        record("registration.waitlist", f"registration:{registration.reference}",
               f"event:{event.slug}")
    return registration
