"""Event times as people read them: in the event's own time zone, whatever the server's."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale

_PATTERNS = {
    "full": "EEEE d MMMM y, HH:mm",
    "date": "EEEE d MMMM y",
    "short": "d MMM y, HH:mm",
    "time": "HH:mm",
}


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
