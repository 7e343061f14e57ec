"""The organizer's side of registrations: the searchable list, check-in at the door, the
printed door list, and payments taken by hand."""
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.errors import EventError
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.events.payments import method_for
from campaign.events.registration import normalise_reference
from campaign.extensions import db
from campaign.audit.service import record

CHECKIN_RESULTS = 20
#: The fewest characters of a reference code that find it by a part (fewer match too many).
PART_OF_REFERENCE = 4


def registrations_page(event_id: int, page: int, per_page: int, search: str = "",
                       status: RegistrationStatus | None = None, ticket_type_id: int | None = None):
    """A page of the organizer's registrations table: newest first, filtered by a search and
    status/ticket. A page past the end is empty."""
    query = (select(Registration).where(Registration.event_id == event_id)
             .options(selectinload(Registration.ticket_type)))
    if search:
        query = query.where(_matches(search))
    if status is not None:
        query = query.where(Registration.status == status)
    if ticket_type_id is not None:
        query = query.where(Registration.ticket_type_id == ticket_type_id)
    return db.paginate(query.order_by(Registration.created_at.desc(), Registration.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def _matches(search: str):
    """Part of a name or affiliation, a reference code, or a whole email address (through its
    blind index: addresses are encrypted, so part of one cannot be searched for)."""
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [Registration.name.ilike(pattern, escape="\\"),
                  Registration.affiliation.ilike(pattern, escape="\\"),
                  Registration.email_index == email_index(search)]
    reference = normalise_reference(search)
    if len(reference) >= PART_OF_REFERENCE:
        conditions.append(Registration.reference.contains(reference))
    return or_(*conditions)


def find_for_checkin(event_id: int, search: str) -> list[Registration]:
    """Registrants matching a typed or scanned reference code, part of one (as read out at the
    door, in any case, with spaces or dashes) or part of a name; the exact code first."""
    if not search:
        return []
    found = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.cancelled,
            _matches(search),
        )
        .options(selectinload(Registration.ticket_type))
        .order_by((Registration.reference == normalise_reference(search)).desc(), Registration.name)
        .limit(CHECKIN_RESULTS)
    )
    return list(found)


def check_in(registration: Registration) -> bool:
    """Mark a confirmed registrant as arrived; False if they already were (or are not confirmed)."""
    if not registration.is_confirmed:
        raise EventError(_("Only confirmed registrants can be checked in."))
    updated = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated:
        record("registration.check_in", f"registration:{registration.reference}")
    db.session.commit()
    db.session.refresh(registration)
    return bool(updated)


def undo_check_in(registration: Registration) -> None:
    registration.checked_in_at = None
    record("registration.check_in_undo", f"registration:{registration.reference}")
    db.session.commit()


def surname_key(name: str) -> tuple[str, str]:
    """Sort by the last word of the name, then the whole name, ignoring case."""
    words = name.split()
    return ((words[-1] if words else "").casefold(), name.casefold())


def door_list(event: Event) -> list[Registration]:
    """Confirmed registrants sorted by surname, for printing."""
    confirmed = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.confirmed)
        .options(selectinload(Registration.ticket_type))
    )
    return sorted(confirmed, key=lambda registration: surname_key(registration.name))


def set_paid(registration: Registration, paid: bool) -> Registration:
    """An organizer records (or takes back) a payment made at the door or by arrangement."""
    method = method_for(registration)
    if not method.manual:
        raise EventError(_("This payment is recorded by the payment provider."))
    if paid:
        if registration.paid_at is None:
            method.settle(registration)
    else:
        method.unsettle(registration)
    record("registration.paid" if paid else "registration.unpaid",
           f"registration:{registration.reference}", f"event:{registration.event.slug}")
    db.session.commit()
    return registration


def is_settled(registration: Registration) -> bool:
    return method_for(registration).is_settled(registration)


def is_paid_by_hand(registration: Registration) -> bool:
    """Whether an organizer records this registration's payment (not a provider)."""
    return method_for(registration).manual
