"""The figures of a statement and an event, the tracked links, the public switch.

A statement's figures come from its counters (`signatures.breakdown`): a few rows per day,
country and source, never its signatures, so they answer as fast at a million signatures as
at ten. An event's come from its registrations, grouped in the (event) index: an event has
at most its capacity of them.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel import Locale
from flask_babel import get_locale, gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.sources import normal_source
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.extensions import db
from campaign.events.models import Event, Registration, RegistrationStatus, TicketType
from campaign.signatures import breakdown
from campaign.signatures.milestones import set_chosen
from campaign.signatures.models import Breakdown
from campaign.statements.models import Statement
from campaign.stats.models import PARTNER_MAX_LENGTH, StatisticsSettings, TrackedLink

#: How many days the per-day chart and table show at most (the latest ones).
DAYS_SHOWN = 120
#: How many hours the per-hour chart shows (the latest ones).
HOURS_SHOWN = 48
#: How many countries the public "Where signatories are from" names.
PUBLIC_COUNTRIES = 10


class StatsError(DomainError):
    """A rule refused the change; the message can be shown to the organizer."""


@dataclass(frozen=True)
class Row:
    """One line of a table: a key, its label, signatures made and counted, and of those made,
    the ones whose signer asked for updates (registrations, places and opt-ins for an event)."""

    key: str
    label: str
    signed: int
    counted: int
    opted_in: int = 0

    @property
    def confirmation_rate(self) -> float | None:
        return self.counted / self.signed if self.signed else None

    @property
    def opt_in_rate(self) -> float | None:
        """The share of those made whose signer ticked "Email me updates"."""
        return self.opted_in / self.signed if self.signed else None


@dataclass
class StatementFigures:
    statement: Statement
    signed: int
    counted: int
    #: Signatures made whose signer ticked "Email me updates about this campaign".
    opted_in: int
    goal: int | None
    days: list[Row]
    hours: list[Row]
    countries: list[Row]
    sources: list[Row]
    #: (day, counted so far) for the cumulative chart.
    cumulative: list[tuple[str, int]] = field(default_factory=list)

    @property
    def confirmation_rate(self) -> float | None:
        return self.counted / self.signed if self.signed else None

    @property
    def opt_in_rate(self) -> float | None:
        """The update opt-in rate: the share of signatures made that asked for updates."""
        return self.opted_in / self.signed if self.signed else None


def country_name(code: str) -> str:
    if not code:
        return _("Not given")
    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


def _filled_days(sums: dict[str, tuple[int, ...]], last: date) -> list[Row]:
    """Every day from the first with signatures (DAYS_SHOWN at most) to `last`, zeros kept."""
    if not sums:
        return []
    first = max(date.fromisoformat(min(sums)), last - timedelta(days=DAYS_SHOWN - 1))
    days = []
    day = first
    while day <= last:
        key = day.isoformat()
        days.append(Row(key, key, *sums.get(key, (0, 0))))
        day += timedelta(days=1)
    return days


def _last_day(day_sums: dict) -> date:
    """Today, or a later day some figure is dated (a clock ahead)."""
    return max([utcnow().date(), *(date.fromisoformat(day) for day in day_sums)])


def statement_figures(statement: Statement) -> StatementFigures:
    now = utcnow()
    day_sums = breakdown.sums(statement.id, Breakdown.day)
    days = _filled_days(day_sums, _last_day(day_sums))
    start = now - timedelta(hours=HOURS_SHOWN - 1)
    hour_sums = breakdown.sums(statement.id, Breakdown.hour, since=breakdown.hour_key(start))
    hours = []
    for offset in range(HOURS_SHOWN):
        key = breakdown.hour_key(start + timedelta(hours=offset))
        hours.append(Row(key, f"{key[:10]} {key[11:]}:00",
                         *hour_sums.get(key, breakdown.Figures())))
    countries = sorted(
        (Row(code, country_name(code), *figures)
         for code, figures in breakdown.sums(statement.id, Breakdown.country).items()),
        key=lambda row: (-row.counted, row.label),
    )
    sources = sorted(
        (Row(code, code or _("No source"), *figures)
         for code, figures in breakdown.sums(statement.id, Breakdown.source).items()),
        key=lambda row: (-row.signed, row.key),
    )
    cumulative, running = [], sum(
        figures.counted for key, figures in day_sums.items() if days and key < days[0].key)
    for row in days:
        running += row.counted
        cumulative.append((row.key, running))
    return StatementFigures(
        statement=statement,
        signed=sum(figures.signed for figures in day_sums.values()),
        counted=sum(figures.counted for figures in day_sums.values()),
        opted_in=sum(figures.opted_in for figures in day_sums.values()),
        goal=statement.signature_goal,
        days=days, hours=hours, countries=countries, sources=sources, cumulative=cumulative,
    )


# The public figures ----------------------------------------------------------------


def shows_publicly(statement: Statement) -> bool:
    settings = db.session.get(StatisticsSettings, statement.id)
    return settings is not None and settings.public


def save_settings(statement: Statement, public: bool, milestones: list[int]) -> None:
    """The organizers' public switch and milestones (none: the round figures); audited."""
    settings = db.session.get(StatisticsSettings, statement.id)
    if settings is None:
        settings = StatisticsSettings(statement_id=statement.id)
        db.session.add(settings)
    settings.public = public
    set_chosen(statement, milestones)
    record("stats.settings", f"statement:{statement.slug}",
           f"public {'on' if public else 'off'}, milestones "
           + (", ".join(f"{figure:,}" for figure in milestones) or "round figures"))
    db.session.commit()


def where_from(statement: Statement) -> list[Row]:
    """The top countries by signatures counted, for the public page (no one unnamed shown)."""
    rows = [
        Row(code, country_name(code), figures.signed, figures.counted)
        for code, figures in breakdown.sums(statement.id, Breakdown.country).items()
        if code and figures.counted > 0
    ]
    return sorted(rows, key=lambda row: (-row.counted, row.label))[:PUBLIC_COUNTRIES]


def public_figures(statement: Statement) -> dict:
    """stats.json: counted signatures in total, by country and by day; nobody's details.

    Nor the update opt-in rate: how many asked for the campaign's emails is the organizers' own.
    """
    day_sums = breakdown.sums(statement.id, Breakdown.day)
    by_country = sorted(
        ((code, figures.counted) for code, figures
         in breakdown.sums(statement.id, Breakdown.country).items() if figures.counted > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return {
        "statement": statement.slug,
        "signatures": sum(figures.counted for figures in day_sums.values()),
        "by_country": [{"country": code or None, "signatures": counted}
                       for code, counted in by_country],
        "by_day": [{"date": day, "signatures": figures.counted}
                   for day, figures in day_sums.items() if figures.counted > 0],
    }


# Events ------------------------------------------------------------------------------


@dataclass
class EventFigures:
    event: Event
    days: list[Row]
    tickets: list[Row]
    sources: list[Row]

    @property
    def registered(self) -> int:
        return sum(row.signed for row in self.tickets)

    @property
    def confirmed(self) -> int:
        return sum(row.counted for row in self.tickets)

    @property
    def opted_in(self) -> int:
        """Registrations whose registrant ticked "Email me updates about this campaign"."""
        return sum(row.opted_in for row in self.tickets)

    @property
    def opt_in_rate(self) -> float | None:
        return self.opted_in / self.registered if self.registered else None


def _registrations_by(event: Event, column) -> list[tuple]:
    """(value, registrations, confirmed places, opted in to updates) per value of `column`,
    cancelled left out."""
    is_confirmed = case((Registration.status == RegistrationStatus.confirmed, 1), else_=0)
    is_opted_in = case((Registration.wants_updates, 1), else_=0)
    return db.session.execute(
        select(column, func.count(), func.coalesce(func.sum(is_confirmed), 0),
               func.coalesce(func.sum(is_opted_in), 0))
        .where(Registration.event_id == event.id,
               Registration.status != RegistrationStatus.cancelled)
        .group_by(column)
    ).all()


def _utc_day(column):
    """The UTC day of a time column as "2026-12-01", in SQL."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    # SQLite keeps the UTC time as text, "2026-12-01 21:11:23.000000".
    return func.substr(column, 1, 10)


def _event_sources(event: Event) -> list[Row]:
    return sorted(
        (Row(code, code or _("No source"), registered, int(confirmed), int(opted_in))
         for code, registered, confirmed, opted_in
         in _registrations_by(event, Registration.source)),
        key=lambda row: (-row.signed, row.key),
    )


def event_figures(event: Event) -> EventFigures:
    ticket_names = {ticket_id: name for ticket_id, name in db.session.execute(
        select(TicketType.id, TicketType.name).where(TicketType.event_id == event.id))}
    day_sums = {day: (registered, int(confirmed), int(opted_in))
                for day, registered, confirmed, opted_in
                in _registrations_by(event, _utc_day(Registration.created_at))}
    tickets = [Row(str(ticket_id), ticket_names.get(ticket_id, ""), registered, int(confirmed),
                   int(opted_in))
               for ticket_id, registered, confirmed, opted_in
               in _registrations_by(event, Registration.ticket_type_id)]
    return EventFigures(event, _filled_days(day_sums, _last_day(day_sums)), tickets,
                        _event_sources(event))


# Tracked links -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkFigures:
    link: TrackedLink
    url: str
    #: Signatures (or registrations) that came through it, and of those confirmed.
    signed: int
    counted: int


def _target_url(statement: Statement | None, event: Event | None, code: str) -> str:
    if statement is not None:
        return absolute_url("signatures.statement_page", slug=statement.slug, source=code)
    return absolute_url("events.event_page", slug=event.slug, source=code)


def links_of(statement: Statement | None = None, event: Event | None = None) -> list[LinkFigures]:
    """The tracked links of a statement or an event, each with what came through it."""
    owner = (TrackedLink.statement_id == statement.id if statement is not None
             else TrackedLink.event_id == event.id)
    links = db.session.scalars(select(TrackedLink).where(owner).order_by(TrackedLink.code)).all()
    if statement is not None:
        by_code = {code: (figures.signed, figures.counted) for code, figures
                   in breakdown.sums(statement.id, Breakdown.source).items()}
    else:
        by_code = {row.key: (row.signed, row.counted) for row in _event_sources(event)}
    return [LinkFigures(link, _target_url(statement, event, link.code), *by_code.get(link.code, (0, 0)))
            for link in links]


def create_link(code: str, partner: str, statement: Statement | None = None,
                event: Event | None = None) -> TrackedLink:
    """A new tracked link; the code is unique per statement or event (the database says so)."""
    normal = normal_source(code)
    if not normal:
        raise StatsError(_("Use letters, digits, dots, dashes and underscores for the code."),
                         field="code")
    partner = partner.strip()[:PARTNER_MAX_LENGTH]
    link = TrackedLink(code=normal, partner=partner,
                       statement_id=statement.id if statement is not None else None,
                       event_id=event.id if event is not None else None)
    db.session.add(link)
    record("stats.link_create", _owner_target(link), normal)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise StatsError(_("There is already a link with the code %(code)s.", code=normal),
                         field="code") from None
    return link


def _owner_target(link: TrackedLink) -> str:
    """The statement or event a link leads to, as the audit log names it."""
    if link.statement_id is not None:
        return f"statement:{db.session.get(Statement, link.statement_id).slug}"
    return f"event:{db.session.get(Event, link.event_id).slug}"


def get_link(link_id: int) -> TrackedLink:
    return db.get_or_404(TrackedLink, link_id)


def link_url(link: TrackedLink) -> str:
    statement = db.session.get(Statement, link.statement_id) if link.statement_id else None
    event = db.session.get(Event, link.event_id) if link.event_id else None
    return _target_url(statement, event, link.code)


def delete_link(link: TrackedLink) -> None:
    """The link goes; what came through it keeps its code. Audited."""
    record("stats.link_delete", _owner_target(link), link.code)
    db.session.delete(link)
    db.session.commit()
