"""The rules for events: details and times, tickets and the appeal, registration, the waiting
list, payment and check-in. Plain functions used by the public pages, the dashboard and the CLI.

Places are guarded by one lock per event: every change that takes or frees a place runs
`_lock_event` first, inside the transaction that then counts and writes. On PostgreSQL that
is `SELECT ... FOR UPDATE` on the event row; on SQLite a no-op UPDATE of the row makes the
transaction the database's single writer before it counts. Ticket capacities are counted
under the same event lock, so neither the event's nor a ticket's places are ever exceeded.
"""
import enum
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from campaign.common.emails import normalise_email
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.events.models import (
    Appeal, Event, EventStatus, Registration, RegistrationStatus, Speaker, TicketType,
)
from campaign.events.money import format_money
from campaign.events.payments import DEFAULT_METHOD, method_for
from campaign.extensions import db
from campaign.mail.service import enqueue
from campaign.audit.service import record
from campaign.statements.models import Campaign, Statement
from campaign.statements.service import default_campaign, slugify

#: Reference codes avoid 0/O and 1/I so they can be read out and typed at the door.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
_REFERENCE_ATTEMPTS = 10
_TOKEN_SALT = "event-registration"
CHECKIN_RESULTS = 20


class EventError(Exception):
    """A rule refused the request; `message` is for the person, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EventNotFound(EventError):
    pass


class RegistrationClosed(EventError):
    pass


class AlreadyRegistered(EventError):
    def __init__(self, message: str, registration: Registration):
        super().__init__(message, field="email")
        self.registration = registration


class NoPlaceLeft(EventError):
    pass


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


# -- Times ------------------------------------------------------------------------------------


def timezone_names() -> list[str]:
    return sorted(available_timezones())


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise EventError(_("Choose a time zone from the list."), field="timezone") from error


def local_to_utc(local: datetime, zone_name: str, field: str | None = None) -> datetime:
    """A wall-clock time in `zone_name` as UTC; refuses times the clocks skip when they go forward.

    A time that happens twice (clocks going back) is taken as its first occurrence.
    """
    tz = zone(zone_name)
    aware = local.replace(tzinfo=tz, fold=0)
    moment = aware.astimezone(timezone.utc)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None, fold=0):
        raise EventError(
            _("%(time)s does not exist in %(zone)s: the clocks go forward then. Choose another time.",
              time=local.strftime("%H:%M"), zone=zone_name),
            field=field,
        )
    return moment


def utc_to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """The wall-clock time (naive) in `zone_name`, for filling in a form."""
    if moment is None:
        return None
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None)


# -- Events -------------------------------------------------------------------------------------


@dataclass
class EventDetails:
    """What an organizer types about an event; times are wall-clock times in `timezone`."""

    title: str
    starts_local: datetime
    #: Made from the title when left empty.
    slug: str = ""
    #: None: the deployment's first campaign (created from CAMPAIGN_NAME if there is none).
    campaign_id: int | None = None
    timezone: str = "Europe/London"
    ends_local: datetime | None = None
    description: str = ""
    host: str = ""
    venue: str = ""
    address: str = ""
    online_url: str = ""
    statement_id: int | None = None
    registration_required: bool = True
    opens_local: datetime | None = None
    closes_local: datetime | None = None
    capacity: int | None = None


def details_of(event: Event) -> EventDetails:
    """The event as its form shows it, times back in the event's own zone."""
    return EventDetails(
        campaign_id=event.campaign_id, title=event.title, slug=event.slug,
        starts_local=utc_to_local(event.starts_at, event.timezone), timezone=event.timezone,
        ends_local=utc_to_local(event.ends_at, event.timezone), description=event.description,
        host=event.host, venue=event.venue, address=event.address, online_url=event.online_url,
        statement_id=event.statement_id, registration_required=event.registration_required,
        opens_local=utc_to_local(event.registration_opens_at, event.timezone),
        closes_local=utc_to_local(event.registration_closes_at, event.timezone),
        capacity=event.capacity,
    )


def create_event(details: EventDetails) -> Event:
    try:
        event = Event(status=EventStatus.draft)
        _apply_details(event, details)
        db.session.add(event)
        _flush_or_slug_taken()
        record("event.create", f"event:{event.slug}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return event


def update_event(event: Event, details: EventDetails) -> Event:
    """Save the organizer's changes; a larger capacity moves people up from the waiting list."""
    with _locked(event.id) as event:
        _apply_details(event, details)
        _flush_or_slug_taken()
        _promote_waitlisted(event)
        record("event.update", f"event:{event.slug}")
    return event


def _apply_details(event: Event, details: EventDetails) -> None:
    campaign = (db.session.get(Campaign, details.campaign_id) if details.campaign_id
                else default_campaign())
    if campaign is None:
        raise EventError(_("Choose a campaign from the list."), field="campaign_id")
    slug = details.slug or slugify(details.title)
    if not slug:
        raise EventError(_("Enter an address for the event page."), field="slug")
    if details.statement_id is not None and db.session.get(Statement, details.statement_id) is None:
        raise EventError(_("Choose a statement from the list."), field="statement_id")
    if details.online_url and urlsplit(details.online_url).scheme not in ("http", "https"):
        raise EventError(_("The online link must start with https://"), field="online_url")
    starts_at = local_to_utc(details.starts_local, details.timezone, "starts_local")
    ends_at = _optional_utc(details.ends_local, details.timezone, "ends_local")
    opens_at = _optional_utc(details.opens_local, details.timezone, "opens_local")
    closes_at = _optional_utc(details.closes_local, details.timezone, "closes_local")
    if ends_at is not None and ends_at < starts_at:
        raise EventError(_("The end must come after the start."), field="ends_local")
    if opens_at and closes_at and closes_at <= opens_at:
        raise EventError(_("Registration must close after it opens."), field="closes_local")
    event.campaign = campaign
    event.statement_id = details.statement_id
    event.title = details.title
    event.slug = slug
    event.description = details.description
    event.host = details.host
    event.timezone = details.timezone
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.venue = details.venue
    event.address = details.address
    event.online_url = details.online_url
    event.registration_required = details.registration_required
    event.registration_opens_at = opens_at
    event.registration_closes_at = closes_at
    event.capacity = details.capacity


def _optional_utc(local: datetime | None, zone_name: str, field: str) -> datetime | None:
    return None if local is None else local_to_utc(local, zone_name, field)


def _flush_or_slug_taken() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise EventError(_("Another event already has this address. Choose another."),
                         field="slug") from error


def set_status(event: Event, status: EventStatus) -> Event:
    """Publish, return to draft, or cancel (which tells everyone registered)."""
    with _locked(event.id) as event:
        if event.status is status:
            return event
        event.status = status
        if status is EventStatus.cancelled:
            for registration in db.session.scalars(
                select(Registration).where(
                    Registration.event_id == event.id,
                    Registration.status != RegistrationStatus.cancelled,
                )
            ).all():
                _notify(registration, "registration_event_cancelled",
                        _("Cancelled: %(title)s", title=event.title))
        record(f"event.{status.value}", f"event:{event.slug}")
    return event


def event_ends_at(event: Event) -> datetime:
    return event.ends_at or event.starts_at


def upcoming_events(limit: int = 10) -> list[Event]:
    """Published events not yet over, soonest first (for the home page)."""
    now = utcnow()
    return list(db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.published,
               func.coalesce(Event.ends_at, Event.starts_at) >= now)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    ))


def upcoming_launch_event(statement_id: int) -> Event | None:
    """The next published meeting that launches this statement, if one is still to come."""
    now = utcnow()
    return db.session.scalars(
        select(Event)
        .where(Event.statement_id == statement_id, Event.status == EventStatus.published,
               func.coalesce(Event.ends_at, Event.starts_at) >= now)
        .order_by(Event.starts_at, Event.id)
        .limit(1)
    ).first()


def published_event(slug: str) -> Event | None:
    """A published or cancelled event by its address; drafts are not public."""
    return db.session.scalars(
        select(Event).where(Event.slug == slug, Event.status != EventStatus.draft)
    ).first()


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalars(select(Event).where(Event.slug == slug)).first()


def all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id.desc())))


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.name)))


def statements() -> list[Statement]:
    return list(db.session.scalars(select(Statement).order_by(Statement.title)))


def registration_state(event: Event, now: datetime | None = None) -> RegistrationState:
    now = now or utcnow()
    if event.status is EventStatus.cancelled:
        return RegistrationState.cancelled
    if event.status is EventStatus.draft:
        return RegistrationState.draft
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState.not_yet_open
    if now >= (event.registration_closes_at or event_ends_at(event)):
        return RegistrationState.closed
    if not event.ticket_types:
        return RegistrationState.no_tickets
    return RegistrationState.open


# -- Speakers -----------------------------------------------------------------------------------


def add_speaker(event: Event, name: str, role: str = "", bio: str = "") -> Speaker:
    last = db.session.scalar(select(func.max(Speaker.position)).where(Speaker.event_id == event.id))
    speaker = Speaker(event_id=event.id, position=(last or 0) + 1, name=name, role=role, bio=bio)
    db.session.add(speaker)
    record("event.speaker_add", f"event:{event.slug}", name)
    db.session.commit()
    return speaker


def update_speaker(speaker: Speaker, name: str, role: str, bio: str) -> Speaker:
    speaker.name, speaker.role, speaker.bio = name, role, bio
    record("event.speaker_update", f"event:{speaker.event.slug}", name)
    db.session.commit()
    return speaker


def delete_speaker(speaker: Speaker) -> None:
    """Remove a speaker and close the gap, so positions stay 1..N."""
    event_id, position = speaker.event_id, speaker.position
    record("event.speaker_delete", f"event:{speaker.event.slug}", speaker.name)
    db.session.delete(speaker)
    db.session.flush()
    later = db.session.scalars(
        select(Speaker).where(Speaker.event_id == event_id, Speaker.position > position)
        .order_by(Speaker.position)
    )
    for following in later:
        following.position -= 1
        db.session.flush()
    db.session.commit()


def move_speaker(speaker: Speaker, step: int) -> None:
    """Swap with the neighbour above (step -1) or below (+1); the first and last stay put."""
    neighbour = db.session.scalars(
        select(Speaker).where(Speaker.event_id == speaker.event_id,
                              Speaker.position == speaker.position + step)
    ).first()
    if neighbour is None:
        return
    mine, theirs = speaker.position, neighbour.position
    # (event, position) is unique, so park one speaker at 0 while they swap.
    speaker.position = 0
    db.session.flush()
    neighbour.position = mine
    db.session.flush()
    speaker.position = theirs
    record("event.speaker_move", f"event:{speaker.event.slug}", speaker.name)
    db.session.commit()


# -- Tickets and the appeal -------------------------------------------------------------------


@dataclass
class TicketDetails:
    name: str
    price_minor: int = 0
    currency: str = "GBP"
    description: str = ""
    #: Set for pay-what-you-can tickets: the least a registrant may pledge.
    min_price_minor: int | None = None
    capacity: int | None = None


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


def is_pay_what_you_can(ticket: TicketType) -> bool:
    return ticket.min_price_minor is not None


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


# -- Places -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    confirmed: int
    waitlisted: int
    checked_in: int
    capacity: int | None

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


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
        capacity=event.capacity,
    )


def tickets_full(event: Event) -> set[int]:
    """Ids of the ticket types that have no confirmed place left (the event's own limit included)."""
    total, per_ticket = _confirmed_counts(event.id)
    return {ticket.id for ticket in event.ticket_types
            if not _has_room(event, ticket, total, per_ticket)}


def _confirmed_counts(event_id: int) -> tuple[int, dict[int, int]]:
    per_ticket = dict(db.session.execute(
        select(Registration.ticket_type_id, func.count())
        .where(Registration.event_id == event_id,
               Registration.status == RegistrationStatus.confirmed)
        .group_by(Registration.ticket_type_id)
    ).all())
    return sum(per_ticket.values()), per_ticket


def _has_room(event: Event, ticket: TicketType, total: int, per_ticket: dict[int, int]) -> bool:
    if event.capacity is not None and total >= event.capacity:
        return False
    return ticket.capacity is None or per_ticket.get(ticket.id, 0) < ticket.capacity


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


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None unless on the waiting list."""
    if registration.status is not RegistrationStatus.waitlisted:
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
                _("A place for you: %(title)s", title=event.title))
    return promoted


# -- Registration -------------------------------------------------------------------------------


def register(
    event: Event, *, name: str, email: str, affiliation: str, ticket_type_id: int,
    amount_minor: int | None, consent_version: str,
) -> Registration:
    """Register someone: a confirmed place while there is room, else a place on the waiting list.

    One registration per event per (normalised) email; someone who cancelled may register again.
    """
    with _locked(event.id) as event:
        state = registration_state(event)
        if state is not RegistrationState.open:
            raise RegistrationClosed(registration_closed_message(state))
        ticket = next((t for t in event.ticket_types if t.id == ticket_type_id), None)
        if ticket is None:
            raise EventError(_("Choose a ticket from the list."), field="ticket")
        amount = pledged_amount(ticket, amount_minor)
        normalised = normalise_email(email)
        registration = _registration_by_email(event.id, normalised)
        if registration is not None and registration.status is not RegistrationStatus.cancelled:
            raise _already_registered(registration)
        total, per_ticket = _confirmed_counts(event.id)
        if registration is None:
            registration = Registration(event_id=event.id)
        registration.ticket_type_id = ticket.id
        registration.name = name
        registration.email = email
        registration.email_normalised = normalised
        registration.affiliation = affiliation
        registration.amount_minor = amount
        registration.currency = ticket.currency
        registration.payment_method = DEFAULT_METHOD
        registration.paid_at = None
        registration.checked_in_at = None
        registration.cancelled_at = None
        registration.consent_version = consent_version
        registration.created_at = utcnow()
        registration.status = (RegistrationStatus.confirmed
                               if _has_room(event, ticket, total, per_ticket)
                               else RegistrationStatus.waitlisted)
        _store_with_reference(registration)
        _send_details(registration)
    return registration


def _registration_by_email(event_id: int, normalised: str) -> Registration | None:
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.email_normalised == normalised)
    ).first()


def _already_registered(registration: Registration) -> AlreadyRegistered:
    return AlreadyRegistered(
        _("This email address is already registered for this event."), registration
    )


def resend_details(registration: Registration) -> None:
    """Someone registered again with the same address: the details go to that address, not the page."""
    _send_details(registration)
    db.session.commit()


def _send_details(registration: Registration) -> None:
    title = registration.event.title
    if registration.status is RegistrationStatus.confirmed:
        _notify(registration, "registration_confirmed",
                _("You are registered: %(title)s", title=title))
    elif registration.status is RegistrationStatus.waitlisted:
        _notify(registration, "registration_waitlisted",
                _("On the waiting list: %(title)s", title=title))


def registration_closed_message(state: RegistrationState) -> str:
    return {
        RegistrationState.draft: _("This event is not published yet."),
        RegistrationState.cancelled: _("This event has been cancelled, so registration is closed."),
        RegistrationState.not_yet_open: _("Registration is not open yet."),
        RegistrationState.closed: _("Registration for this event has closed."),
        RegistrationState.no_tickets: _("Registration is not open yet."),
    }.get(state, "")


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _store_with_reference(registration: Registration) -> None:
    """Flush with a fresh unique reference, drawing again on the rare clash (a savepoint per try)."""
    if registration.reference:
        db.session.flush()
        return
    for _attempt in range(_REFERENCE_ATTEMPTS):
        registration.reference = new_reference()
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            if _reference_taken(registration.reference):
                continue
            # The event lock rules this out; the unique constraint is the last word all the same.
            existing = _registration_by_email(registration.event_id, registration.email_normalised)
            if existing is not None:
                raise _already_registered(existing) from None
            raise
        return
    raise RuntimeError("no free registration reference after several attempts")


def _reference_taken(reference: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.reference == reference)
    ) > 0


def normalise_reference(text: str) -> str:
    """What someone typed or scanned, as a stored reference: capitals, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:REFERENCE_LENGTH * 2]


def registration_token(registration: Registration) -> str:
    """The secret part of the registrant's links (ticket page, calendar, QR code, cancel)."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)
    return serializer.dumps([registration.id, registration.reference])


def registration_from_token(token: str) -> Registration | None:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)
    try:
        registration_id, reference = serializer.loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(registration_id, int) or not isinstance(reference, str):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.reference != reference:
        return None
    return registration


def cancel_registration(registration: Registration, by_organizer: bool = False) -> Registration:
    """Cancel and give the freed place to the first person waiting who fits it; safe to repeat."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if registration.status is RegistrationStatus.cancelled:
            return registration
        was_confirmed = registration.status is RegistrationStatus.confirmed
        registration.status = RegistrationStatus.cancelled
        registration.cancelled_at = utcnow()
        _notify(registration, "registration_cancelled",
                _("Registration cancelled: %(title)s", title=event.title))
        if was_confirmed:
            _promote_waitlisted(event)
        record("registration.cancel" if by_organizer else "registration.cancel_self",
               f"registration:{registration.reference}", f"event:{event.slug}",
               actor=None if by_organizer else "registrant")
    return registration


def confirm_from_waitlist(registration: Registration) -> Registration:
    """An organizer gives a waiting person a place, if the event and their ticket have one."""
    with _locked(registration.event_id) as event:
        db.session.refresh(registration)
        if registration.status is not RegistrationStatus.waitlisted:
            return registration
        total, per_ticket = _confirmed_counts(event.id)
        if not _has_room(event, registration.ticket_type, total, per_ticket):
            raise NoPlaceLeft(_("There is no place left for this ticket. Raise the capacity first."))
        registration.status = RegistrationStatus.confirmed
        _notify(registration, "registration_promoted",
                _("A place for you: %(title)s", title=event.title))
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
        if registration.status is not RegistrationStatus.confirmed:
            return registration
        registration.status = RegistrationStatus.waitlisted
        registration.checked_in_at = None
        _notify(registration, "registration_waitlisted",
                _("On the waiting list: %(title)s", title=event.title))
        record("registration.waitlist", f"registration:{registration.reference}",
               f"event:{event.slug}")
    return registration


#: What an erased registrant's name becomes; the row stays so places and pledges add up.
ERASED_NAME = "Erased"


def erase_registration(registration: Registration, reason: str, actor=None,
                       free_place: bool = True) -> Registration:
    """Erase a registrant's personal data: name, email and affiliation.

    On an erasure request (`free_place`) the registration is cancelled too, and its place
    goes to the waiting list as if they had cancelled. For storage limitation after the event
    (`free_place=False`) it keeps its status, so the event's figures and the appeal's totals
    stay as they were. Part of the caller's transaction; audited with `reason`.
    """
    event = _lock_event(registration.event_id) if free_place else None
    db.session.refresh(registration)
    freed = free_place and registration.status is RegistrationStatus.confirmed
    if free_place and registration.status is not RegistrationStatus.cancelled:
        registration.status = RegistrationStatus.cancelled
        registration.cancelled_at = utcnow()
    registration.name = ERASED_NAME
    registration.email = None
    registration.email_normalised = None
    registration.affiliation = ""
    if freed:
        _promote_waitlisted(event)
    record("registration.erase", f"registration:{registration.reference}", reason, actor=actor)
    return registration


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


# -- Organizer lists and check-in ---------------------------------------------------------------


def registrations_query(event_id: int, search: str = "", status: RegistrationStatus | None = None,
                        ticket_type_id: int | None = None):
    """The organizer's registrations table: newest first, filtered by a search and status/ticket."""
    query = (select(Registration).where(Registration.event_id == event_id)
             .options(selectinload(Registration.ticket_type)))
    if search:
        query = query.where(_matches(search))
    if status is not None:
        query = query.where(Registration.status == status)
    if ticket_type_id is not None:
        query = query.where(Registration.ticket_type_id == ticket_type_id)
    return query.order_by(Registration.created_at.desc(), Registration.id.desc())


def _matches(search: str):
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [Registration.name.ilike(pattern, escape="\\"),
                  Registration.email.ilike(pattern, escape="\\"),
                  Registration.affiliation.ilike(pattern, escape="\\")]
    reference = normalise_reference(search)
    if reference:
        conditions.append(Registration.reference == reference)
    return or_(*conditions)


def find_for_checkin(event_id: int, search: str) -> list[Registration]:
    """Registrants matching a typed or scanned reference code or part of a name; exact code first."""
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
    if registration.status is not RegistrationStatus.confirmed:
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


# -- Emails -------------------------------------------------------------------------------------


def registration_links(registration: Registration) -> dict[str, str]:
    token = registration_token(registration)
    slug = registration.event.slug
    return {
        "ticket_url": absolute_url("events.ticket", slug=slug, token=token),
        "cancel_url": absolute_url("events.cancel", slug=slug, token=token),
        "ics_url": absolute_url("events.calendar", slug=slug, token=token),
        "qr_url": absolute_url("events.qr_code", slug=slug, token=token),
        "event_url": absolute_url("events.event_page", slug=slug),
    }


def _notify(registration: Registration, template: str, subject: str) -> None:
    if not registration.email:
        return
    db.session.flush()
    enqueue(
        template, registration.email, subject, template,
        registration=registration, event=registration.event, ticket=registration.ticket_type,
        appeal=registration.event.appeal, place=waitlist_place(registration),
        **registration_links(registration),
    )
