"""Event times: an organizer's wall-clock times in the event's time zone turned into UTC and
back, and times shown as people read them, in the event's own zone whatever the server's."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _

from campaign.events.errors import EventError

_PATTERNS = {
    "full": "EEEE d MMMM y, HH:mm",
    "date": "EEEE d MMMM y",
    "short": "d MMM y, HH:mm",
    "time": "HH:mm",
}


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


def format_event_time(moment: datetime | None, zone_name: str, style: str = "full") -> str:
    """e.g. "Monday 24 March 2031, 18:30 GMT" for a UTC time and Europe/London.

    The zone is named by the time zone database's own abbreviation for that date (GMT in
    winter, BST in summer), which readers know better than a locale's offset form.
    """
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone_name))
    text = format_datetime(local, _PATTERNS[style], locale=get_locale() or "en")
    return text if style == "date" else f"{text} {local.tzname()}"
