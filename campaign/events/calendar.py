"""The .ics file a confirmed registrant adds to their calendar."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from campaign.common.time import utcnow
from campaign.events.models import Event, EventStatus, Registration

#: When an event has no end time, calendars show it this long.
DEFAULT_LENGTH = timedelta(hours=2)


def event_uid(event: Event) -> str:
    """Stable for the event, so a second download updates the same calendar entry."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"event-{event.id}@{host}"


def where(event: Event) -> str:
    return ", ".join(part for part in (event.venue, " ".join(event.address.split())) if part)


def event_calendar(registration: Registration, links: dict[str, str]) -> bytes:
    """One VEVENT in UTC, with the online link: only confirmed registrants are given this file.

    icalendar (80 modules) is imported on the first file made, not with the app.
    """
    from icalendar import Calendar, Event as CalendarEvent, vText

    event = registration.event
    calendar = Calendar()
    calendar.add("prodid", "-//campaign statements//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at or event.starts_at + DEFAULT_LENGTH)
    entry.add("summary", event.title)
    entry.add("status", "CANCELLED" if event.status is EventStatus.cancelled else "CONFIRMED")
    location = where(event) or event.online_url
    if location:
        entry.add("location", vText(location))
    entry.add("url", links["ticket_url"])
    lines = []
    if event.host:
        lines.append(_("Hosted by %(host)s", host=event.host))
    if event.online_url:
        lines.append(_("Join online: %(url)s", url=event.online_url))
    lines.append(_("Your reference: %(code)s", code=registration.reference))
    lines.append(_("Your registration: %(url)s", url=links["ticket_url"]))
    entry.add("description", "\n".join(lines))
    calendar.add_component(entry)
    return calendar.to_ical()
