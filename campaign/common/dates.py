"""Dates and times as people read them: one style per language, on every page and in every email.

English reads "24 March 2027, 18:00 GMT": the language's long date from CLDR (its own order and
month names: "24. März 2027", "24 березня 2027 р."), a 24-hour clock ("Hm", in the language's
own separators) and the language's way of joining the two, then the time zone's abbreviation
(GMT in winter, BST in summer), which readers know better than an offset. Event times are shown
in the event's own zone; every other time in UTC.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date, format_skeleton, get_datetime_format
from flask_babel import get_locale

UTC = "UTC"

#: CLDR's plain "en" is US English ("March 24, 2027"); English pages read "24 March 2027", as
#: CLDR's world English ("en_001") and British English write it.
_WRITTEN_AS = {"en": "en_001"}


def _locale() -> Locale:
    language = str(get_locale() or "en")
    return Locale.parse(_WRITTEN_AS.get(language, language))


def _zone_name(local: datetime) -> str:
    """The zone's abbreviation for that moment; a zone that has none ("+03") reads "UTC+03"."""
    name = local.tzname() or ""
    return f"{UTC}{name}" if name[:1] in "+-" else name


def format_date(moment: datetime | date | None, zone: str = UTC) -> str:
    """e.g. "24 March 2027": the day `moment` falls on in `zone` (a date is that day)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(zone))
    return babel_format_date(moment, "long", locale=_locale())


def format_time(moment: datetime | None, zone: str = UTC) -> str:
    """e.g. "18:00 GMT"."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{clock_time(local)} {_zone_name(local)}"


def format_datetime(moment: datetime | None, zone: str = UTC) -> str:
    """e.g. "24 March 2027, 18:00 GMT"."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{_date_and_time(local)} {_zone_name(local)}"


def format_span(starts: datetime, ends: datetime | None, zone: str = UTC) -> str:
    """e.g. "24 March 2027, 18:00 – 20:00 GMT"; the end's date too when it falls on another day."""
    if ends is None:
        return format_datetime(starts, zone)
    start, end = starts.astimezone(ZoneInfo(zone)), ends.astimezone(ZoneInfo(zone))
    if start.date() != end.date() or _zone_name(start) != _zone_name(end):
        return f"{format_datetime(starts, zone)} – {format_datetime(ends, zone)}"
    return f"{_date_and_time(start)} – {clock_time(end)} {_zone_name(end)}"


def _date_and_time(local: datetime) -> str:
    """The long date and the clock time, joined as the language joins them."""
    locale = _locale()
    return get_datetime_format("medium", locale=locale).format(
        clock_time(local), babel_format_date(local, "long", locale=locale)
    )


def clock_time(wall_clock: datetime) -> str:
    """A wall-clock time without its zone, e.g. "18:00"."""
    return format_skeleton("Hm", wall_clock, locale=_locale())
