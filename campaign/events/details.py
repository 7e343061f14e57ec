"""Events and their speakers: what an organizer types about an event, its status, and the
lookups the public pages and the dashboard list events by."""
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.common.time import utcnow
from campaign.events.emails import email_registrant
from campaign.events.errors import EventError
from campaign.events.models import (
    Event, EventStatus, Registration, RegistrationStatus, Speaker, TicketType,
)
from campaign.events.payments import method_for
from campaign.events.places import _locked
from campaign.events.signals import event_cancelled
from campaign.events.times import local_to_utc, utc_to_local
from campaign.events.waitlist import _promote_waitlisted
from campaign.extensions import db
from campaign.audit.service import record
from campaign.statements.models import Campaign, Statement
from campaign.statements.service import default_campaign, slugify


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
    reminder_hours: int = 24
    what_to_bring: str = ""


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
        capacity=event.capacity, reminder_hours=event.reminder_hours,
        what_to_bring=event.what_to_bring,
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
    event.reminder_hours = details.reminder_hours
    event.what_to_bring = details.what_to_bring


def _optional_utc(local: datetime | None, zone_name: str, field: str) -> datetime | None:
    return None if local is None else local_to_utc(local, zone_name, field)


def _flush_or_slug_taken() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise EventError(_("Another event already has this address. Choose another."),
                         field="slug") from error


#: The audit log's action for each status an event is given.
_STATUS_RECORDED = {
    EventStatus.published: "event.published",
    EventStatus.draft: "event.draft",
    EventStatus.cancelled: "event.cancelled",
}


def set_status(event: Event, status: EventStatus) -> Event:
    """Publish, return to draft, or cancel (which tells everyone registered)."""
    with _locked(event.id) as event:
        if event.status is status:
            return event
        event.status = status
        if status is EventStatus.cancelled:
            _end_registrations(event)
        record(_STATUS_RECORDED[status], f"event:{event.slug}")
    return event


def _end_registrations(event: Event) -> None:
    """Refund and email everyone the cancelled event leaves without a place, in one read of
    their registrations. Each keeps its status (publishing the event again gives it back), but
    the API reports it declined from now on, so its `updated_at` moves, and `event_cancelled`
    tells the floors above which registrations it ended."""
    still_registered = (Registration.event_id == event.id,
                        Registration.status != RegistrationStatus.cancelled)
    ended = db.session.scalars(select(Registration).where(*still_registered)).all()
    for registration in ended:
        refund = (method_for(registration).refund(registration)
                  if registration.paid_at else None)
        email_registrant(registration, "registration_event_cancelled",
                         _l("Cancelled: %(title)s"), refund=refund)
    if ended:
        db.session.execute(update(Registration).where(*still_registered)
                           .values(updated_at=utcnow())
                           .execution_options(synchronize_session=False))
        event_cancelled.send(event, registration_ids=[registration.id for registration in ended])


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


def titles_by_slug(slugs) -> dict[str, str]:
    """{slug: title} of the events among `slugs` (for the audit log's sentences)."""
    return dict(db.session.execute(
        select(Event.slug, Event.title).where(Event.slug.in_(slugs))).all())


def event_by_id(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def event_part(event: Event, model: type[Speaker | TicketType | Registration], part_id: int):
    """A speaker, ticket or registration of this event; None for one of another event."""
    part = db.session.get(model, part_id)
    return part if part is not None and part.event_id == event.id else None


def all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id.desc())))


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.name)))


def statements() -> list[Statement]:
    return list(db.session.scalars(select(Statement).order_by(Statement.title)))


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

