"""Event times: an organizer's wall-clock times in the event's time zone turned into UTC and
back, and times shown as people read them, in the event's own zone whatever the server's."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _

from campaign.common import dates
from campaign.events.errors import EventError

#: The parts of a moment a page may show alone; any other (the dashboard's older "short" and
#: "full") shows the date and the time.
_PARTS = {"date": dates.format_date, "time": dates.format_time}


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
              time=dates.clock_time(local), zone=zone_name),
            field=field,
        )
    return moment


def utc_to_local(moment: datetime | None, zone_name: str) -> datetime | None:
    """The wall-clock time (naive) in `zone_name`, for filling in a form."""
    if moment is None:
        return None
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None)


def format_event_time(moment: datetime | None, zone_name: str, part: str = "datetime") -> str:
    """e.g. "24 March 2031, 18:30 GMT" for a UTC time and Europe/London, in the one style of
    every page (campaign/common/dates.py); `part` "date" or "time" shows that part alone."""
    return _PARTS.get(part, dates.format_datetime)(moment, zone_name)


def format_event_span(event) -> str:
    """When the event runs, e.g. "24 March 2031, 18:30 – 20:30 GMT", in its own zone."""
    return dates.format_span(event.starts_at, event.ends_at, event.timezone)
