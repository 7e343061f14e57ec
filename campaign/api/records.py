"""What the OSDI API reads: pages of people, petitions, signatures, events and attendances,
optionally only those changed after (or before) a time, oldest change first.

People are not a table of their own: a person is every signature and registration made with
one address, known by the address's blind index (`email_index`), so the same person is one
record whichever statement they signed or meeting they came to.
"""
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, union_all

from campaign.common.errors import DomainError
from campaign.events.models import Event, EventStatus, Registration
from campaign.extensions import db
from campaign.signatures.models import Signature
from campaign.statements.models import Statement, StatementStatus
from campaign.supporters.models import SubscriptionState, Supporter

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
#: OSDI's query filter, as far as this API takes it: the last change, after or before a time.
_FILTER = re.compile(r"^\s*modified_date\s+(gt|lt)\s+'([^']{1,40})'\s*$")
#: An address's blind index: what a person's id is.
PERSON_KEY = re.compile(r"^[0-9a-f]{64}$")


class QueryError(DomainError):
    """The paging or filter asked for cannot be answered; the message says what to send."""


@dataclass(frozen=True)
class Query:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    #: ("gt" | "lt", aware UTC time), or None for every record.
    modified: tuple[str, datetime] | None = None


def parse_query(args) -> Query:
    """`page`, `per_page` and `filter` from a request's query string, each checked."""
    page = _bounded(args.get("page", "1"), 1, MAX_PAGE, "page")
    per_page = _bounded(args.get("per_page", str(DEFAULT_PER_PAGE)), 1, MAX_PER_PAGE, "per_page")
    text = args.get("filter")
    if text is None:
        return Query(page, per_page)
    found = _FILTER.match(text)
    moment = found and _moment(found.group(2))
    if not moment:
        raise QueryError(_("The filter must read modified_date gt 'TIME' or modified_date lt "
                           "'TIME', with an ISO 8601 time such as 2026-11-30T18:00:00Z."),
                         field="filter")
    return Query(page, per_page, (found.group(1), moment))


def _bounded(text: str, lowest: int, highest: int, name: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 7) or \
            not lowest <= int(text) <= highest:
        raise QueryError(_("%(name)s must be a whole number from %(lowest)d to %(highest)d.",
                           name=name, lowest=lowest, highest=highest), field=name)
    return int(text)


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class Page:
    items: list
    query: Query
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.query.per_page)


def _modified(column, query: Query):
    operator, moment = query.modified
    return column > moment if operator == "gt" else column < moment


def _page_of(statement: Select, modified_column, query: Query, id_column) -> Page:
    if query.modified:
        statement = statement.where(_modified(modified_column, query))
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(
        statement.order_by(modified_column, id_column)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    return Page(list(rows), query, total)


# Petitions (statements) and events: what their public pages show -------------------------

def _public_statements() -> Select:
    return select(Statement).where(
        Statement.status.in_([StatementStatus.published, StatementStatus.closed]))


def petitions(query: Query) -> Page:
    return _page_of(_public_statements(), Statement.updated_at, query, Statement.id)


def petition(statement_id: int) -> Statement | None:
    return db.session.scalar(_public_statements().where(Statement.id == statement_id))


def _public_events() -> Select:
    return select(Event).where(Event.status != EventStatus.draft)


def events(query: Query) -> Page:
    return _page_of(_public_events(), Event.updated_at, query, Event.id)


def event(event_id: int) -> Event | None:
    return db.session.scalar(_public_events().where(Event.id == event_id))


# Signatures and attendances ----------------------------------------------------------------

def signatures(query: Query, statement: Statement | None = None) -> Page:
    chosen = select(Signature)
    if statement is not None:
        chosen = chosen.where(Signature.statement_id == statement.id)
    return _page_of(chosen, Signature.updated_at, query, Signature.id)


def signature(signature_id: int) -> Signature | None:
    return db.session.get(Signature, signature_id)


def attendances(query: Query, event: Event | None = None) -> Page:
    chosen = select(Registration)
    if event is not None:
        chosen = chosen.where(Registration.event_id == event.id)
    return _page_of(chosen, Registration.updated_at, query, Registration.id)


def attendance(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


# People --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    #: The blind index of the address: the person's id in the API.
    key: str
    name: str
    email: str | None
    affiliation: str
    country: str
    created: datetime
    modified: datetime
    #: Whether the address is subscribed to the campaign's email updates (it ticked the box,
    #: or confirmed on /subscribe, and has not left since).
    subscribed: bool = False


def _people(query: Query | None = None) -> Select:
    """(key, first seen, last changed) for every address that signed or registered; with a
    `query` that filters, only those whose last change passes it."""
    rows = union_all(
        select(Signature.email_index.label("key"), Signature.created_at.label("created"),
               Signature.updated_at.label("modified")).where(Signature.email_index.is_not(None)),
        select(Registration.email_index.label("key"), Registration.created_at.label("created"),
               Registration.updated_at.label("modified"))
        .where(Registration.email_index.is_not(None)),
    ).subquery()
    last_change = func.max(rows.c.modified)
    chosen = select(rows.c.key, func.min(rows.c.created).label("created"),
                    last_change.label("modified")).group_by(rows.c.key)
    if query is not None and query.modified:
        chosen = chosen.having(_modified(last_change, query))
    return chosen


def people(query: Query) -> Page:
    chosen = _people(query)
    total = db.session.scalar(select(func.count()).select_from(chosen.subquery()))
    ordered = chosen.subquery()
    rows = db.session.execute(
        select(ordered).order_by(ordered.c.modified, ordered.c.key)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    return Page(_people_from(rows), query, total)


def person(key: str) -> Person | None:
    if not PERSON_KEY.fullmatch(key or ""):
        return None
    chosen = _people().subquery()
    rows = db.session.execute(select(chosen).where(chosen.c.key == key)).all()
    found = _people_from(rows)
    return found[0] if found else None


def _people_from(rows) -> list[Person]:
    """Each row's person, with the name and address of their latest signature or registration."""
    keys = [row.key for row in rows]
    latest: dict[str, Signature | Registration] = {}
    countries: dict[str, str] = {}
    for model in (Registration, Signature):
        for record in db.session.scalars(
            select(model).where(model.email_index.in_(keys)).order_by(model.updated_at)
        ):
            if record.email_index not in latest or \
                    record.updated_at >= latest[record.email_index].updated_at:
                latest[record.email_index] = record
            if getattr(record, "country", ""):
                countries[record.email_index] = record.country
    subscribed = set(db.session.scalars(select(Supporter.email_index).where(
        Supporter.email_index.in_(keys), Supporter.state == SubscriptionState.subscribed)))
    return [
        Person(key=row.key, name=latest[row.key].name, email=latest[row.key].email,
               affiliation=latest[row.key].affiliation, country=countries.get(row.key, ""),
               created=row.created, modified=row.modified, subscribed=row.key in subscribed)
        for row in rows if row.key in latest
    ]
