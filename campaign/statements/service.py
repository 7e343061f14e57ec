"""The rules for campaigns, statements, their demands and their amendment history.

Functions take values and raise `StatementError` with a message fit to show a person;
views, the command line and the importer all go through them. Changes are added to the
caller's session and committed here, so a failed step leaves nothing half-written.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from anyascii import anyascii
from flask import abort, current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.common.errors import DomainError
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.audit.service import record
from campaign.statements.models import (
    Campaign, Demand, Statement, StatementRevision, StatementStatus,
)

SLUG_MAX_LENGTH = 120
#: Slugs made from a title are cut at a word boundary near this length, to keep links short.
_DERIVED_SLUG_LENGTH = 80
#: What `slugify` makes; anything else (a NUL byte, a 10,000-character path) cannot be a slug.
_SLUG_SHAPE = re.compile(r"[a-z0-9][a-z0-9-]{0,%d}" % (SLUG_MAX_LENGTH - 1))
#: Added to every position while demands are renumbered, so no two rows ever share one.
_RENUMBER_OFFSET = 1_000_000
#: The text a signatory puts their name to; a change to any of these after signing is an amendment.
SIGNED_TEXT_FIELDS = ("title", "preamble", "closing")
STATEMENT_FIELDS = SIGNED_TEXT_FIELDS + (
    "slug", "signature_goal", "requires_confirmation", "opens_at", "closes_at",
)


class StatementError(DomainError):
    """A rule refused the change to a campaign, statement or demand."""


# Campaigns and slugs -------------------------------------------------------


def slugify(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """Lower-case ASCII words joined by hyphens; other scripts are transliterated.

    "Вільна Україна" becomes "vilna-ukraina". Returns "" when nothing usable is left
    (for example a title of emoji only), so the caller can ask for a slug.
    """
    # Apostrophes join, as in "don't" -> "dont" and the soft sign in "Vil'na" -> "vilna".
    ascii_text = anyascii(text or "").lower().replace("'", "")
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug


def default_campaign() -> Campaign:
    """The first campaign, or a new one named from CAMPAIGN_NAME (added, not committed)."""
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id).limit(1))
    if campaign is not None:
        return campaign
    name = current_app.config["CAMPAIGN_NAME"]
    return ensure_campaign(name)


def ensure_campaign(name: str, slug: str | None = None) -> Campaign:
    """The campaign with this slug (made from `name` when not given), created when missing."""
    slug = slug or slugify(name) or "campaign"
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is not None:
        return campaign
    campaign = Campaign(name=name, slug=slug)
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError:
        # Another request created it at the same moment.
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    return campaign


def _chosen_slug(slug: str | None, title: str) -> str:
    """The slug typed (tidied into slug form), or one made from the title."""
    if slug:
        tidied = slugify(slug)
        if not tidied:
            raise StatementError(
                _("Use letters, numbers and hyphens in the web address."), field="slug"
            )
        return tidied
    derived = slugify(title, _DERIVED_SLUG_LENGTH)
    if not derived:
        raise StatementError(
            _("A web address cannot be made from this title: type one in."), field="slug"
        )
    return derived


def _slug_taken_error(slug: str) -> StatementError:
    return StatementError(
        _("Another statement already uses the web address “%(slug)s”. Choose another.", slug=slug),
        field="slug",
    )


def _slug_in_use(slug: str, except_id: int | None = None) -> bool:
    query = select(exists().where(Statement.slug == slug, Statement.id != (except_id or 0)))
    return bool(db.session.scalar(query))


# Reading --------------------------------------------------------------------


def public_statement(slug: str) -> Statement:
    """A published or closed statement by its slug; 404 for drafts and unknown slugs."""
    if not _SLUG_SHAPE.fullmatch(slug or ""):
        abort(404)
    return db.first_or_404(
        select(Statement).where(
            Statement.slug == slug,
            Statement.status.in_([StatementStatus.published, StatementStatus.closed]),
        )
    )


@dataclass(frozen=True)
class SigningTerms:
    """What a signature needs of its statement, kept per worker (`signing_terms`)."""

    id: int
    campaign_id: int
    slug: str
    title: str
    revision: int
    signature_goal: int | None
    #: The language the statement is written in (its translations are others).
    language: str
    status: StatementStatus
    requires_confirmation: bool
    opens_at: datetime | None
    closes_at: datetime | None
    #: The version it was read at: any change to the statement moves it.
    updated_at: datetime


def signing_terms(slug: str, recheck: bool = False) -> SigningTerms:
    """A published or closed statement's terms of signing; 404 like `public_statement`.

    Kept per worker, and read only when not kept yet or when `recheck` asks: a signature's
    INSERT carries the version they were read at (`updated_at`, which every change moves) and
    stores nothing once it has moved (`signatures.service.StatementChanged`), so signing
    reads nothing of the statement while it is unchanged.
    """
    if not _SLUG_SHAPE.fullmatch(slug or ""):
        abort(404)
    kept: dict = current_app.extensions.setdefault("campaign.signing_terms", {})
    terms = kept.get(slug)
    if terms is None or recheck:
        row = db.session.connection().execute(_signing_terms_read(), {"slug": slug}).one_or_none()
        if row is None:
            kept.pop(slug, None)
            abort(404)
        terms = kept[slug] = SigningTerms(*row)
    return terms


@cache
def _signing_terms_read():
    """A public statement's terms by its slug, made once (a plain table read, the lightest
    SQLAlchemy runs)."""
    table = Statement.__table__
    return select(*(table.c[name] for name in SigningTerms.__dataclass_fields__)).where(
        table.c.slug == bindparam("slug"),
        table.c.status.in_([StatementStatus.published, StatementStatus.closed]))


def titles_by_slug(slugs) -> dict[str, str]:
    """{slug: title} of the statements among `slugs` (for the audit log's sentences)."""
    return dict(db.session.execute(
        select(Statement.slug, Statement.title).where(Statement.slug.in_(slugs))).all())


def is_open_for_signing(statement: Statement, now: datetime | None = None) -> bool:
    """Published, and within its signing window when it has one."""
    now = now or utcnow()
    if statement.status is not StatementStatus.published:
        return False
    if statement.opens_at is not None and now < statement.opens_at:
        return False
    if statement.closes_at is not None and now >= statement.closes_at:
        return False
    return True


def public_statements():
    """Published and closed statements, newest first, for the home page (a select to paginate)."""
    return select(Statement).where(
        Statement.status.in_([StatementStatus.published, StatementStatus.closed])
    ).order_by(Statement.published_at.desc().nulls_last(), Statement.id.desc())


def statements_page(page: int, per_page: int) -> Pagination:
    """A page of every statement for the dashboard, newest first."""
    return db.paginate(
        select(Statement).order_by(Statement.created_at.desc(), Statement.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def status_tallies() -> dict[str, int]:
    """How many statements are in each status ("draft", ...), every status present."""
    rows = db.session.execute(select(Statement.status, func.count()).group_by(Statement.status))
    tallies = dict.fromkeys((status.value for status in StatementStatus), 0)
    tallies.update({status.value: count for status, count in rows})
    return tallies


def has_signatures(statement: Statement) -> bool:
    return bool(db.session.scalar(select(statement.signatures.select().exists())))


def get_statement(statement_id: int) -> Statement:
    return db.get_or_404(Statement, statement_id)


def get_demand(statement: Statement, demand_id: int) -> Demand:
    return db.first_or_404(
        select(Demand).where(Demand.id == demand_id, Demand.statement_id == statement.id)
    )


def get_revision(statement: Statement, number: int) -> StatementRevision:
    return db.first_or_404(
        select(StatementRevision).where(
            StatementRevision.statement_id == statement.id, StatementRevision.number == number
        )
    )


# Writing --------------------------------------------------------------------


@dataclass
class DemandText:
    heading: str = ""
    body: str = ""


def create_statement(
    title: str,
    *,
    slug: str | None = None,
    preamble: str = "",
    closing: str = "",
    demands: list[DemandText] = (),
    signature_goal: int | None = None,
    requires_confirmation: bool = True,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    campaign: Campaign | None = None,
    commit: bool = True,
) -> Statement:
    """A new draft statement. With commit=False the caller finishes the transaction."""
    slug = _chosen_slug(slug, title)
    _check_window(opens_at, closes_at)
    if _slug_in_use(slug):
        raise _slug_taken_error(slug)
    statement = Statement(
        campaign=campaign or default_campaign(),
        title=title,
        slug=slug,
        preamble=preamble,
        closing=closing,
        signature_goal=signature_goal,
        requires_confirmation=requires_confirmation,
        opens_at=opens_at,
        closes_at=closes_at,
        status=StatementStatus.draft,
        demands=[
            Demand(position=position, heading=demand.heading, body=demand.body)
            for position, demand in enumerate(demands, start=1)
        ],
    )
    db.session.add(statement)
    _flush_or_slug_error(slug)
    record("statement.create", _target(statement), title[:200])
    if commit:
        db.session.commit()
    return statement


def update_statement(statement: Statement, **values) -> bool:
    """Change the statement's own fields; returns whether it became a new revision.

    Accepts the names in STATEMENT_FIELDS. Once anyone has signed, a change to the
    signed text first keeps the old text as a revision (see `_amend`).
    """
    unknown = set(values) - set(STATEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown statement fields: {sorted(unknown)}")
    _lock(statement)
    if "slug" in values:
        # A blank slug keeps the current address: links already shared must go on working.
        slug = _chosen_slug(values["slug"], "") if values["slug"] else statement.slug
        if slug != statement.slug and _slug_in_use(slug, except_id=statement.id):
            raise _slug_taken_error(slug)
        values["slug"] = slug
    _check_window(
        values.get("opens_at", statement.opens_at), values.get("closes_at", statement.closes_at)
    )
    changed = {name: value for name, value in values.items() if getattr(statement, name) != value}
    if not changed:
        db.session.commit()
        return False
    amended = False
    if any(name in SIGNED_TEXT_FIELDS for name in changed):
        amended = _amend(statement)
    for name, value in changed.items():
        setattr(statement, name, value)
    _flush_or_slug_error(statement.slug)
    record("statement.edit", _target(statement), ", ".join(sorted(changed)))
    db.session.commit()
    return amended


def _check_window(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise StatementError(_("Signing must close after it opens."), field="closes_at")


_TRANSITIONS = {
    "publish": (lambda statement: statement.can_be_published, StatementStatus.published),
    "close": (lambda statement: statement.can_be_closed, StatementStatus.closed),
    "reopen": (lambda statement: statement.can_be_reopened, StatementStatus.published),
}
#: The audit log's name for each of them.
_RECORDED = {"publish": "statement.publish", "close": "statement.close",
             "reopen": "statement.reopen"}


def change_status(statement: Statement, action: str, commit: bool = True) -> Statement:
    """Publish a draft, close a published statement, or reopen a closed one."""
    allowed, new_status = _TRANSITIONS[action]
    _lock(statement)
    if not allowed(statement):
        raise StatementError(
            _("This statement is %(status)s, so it cannot be changed that way.",
              status=_status_label(statement.status))
        )
    statement.status = new_status
    if new_status is StatementStatus.published and statement.published_at is None:
        statement.published_at = utcnow()
    record(_RECORDED[action], _target(statement))
    if commit:
        db.session.commit()
    return statement


def _status_label(status: StatementStatus) -> str:
    return {
        StatementStatus.draft: _("a draft"),
        StatementStatus.published: _("published"),
        StatementStatus.closed: _("closed"),
    }[status]


def add_demand(statement: Statement, heading: str, body: str) -> Demand:
    _check_demand_text(heading, body)
    _lock(statement)
    _amend(statement)
    demand = Demand(heading=heading, body=body, position=len(statement.demands) + 1)
    statement.demands.append(demand)
    record("statement.edit", _target(statement), f"demand {demand.position} added")
    db.session.commit()
    return demand


def edit_demand(demand: Demand, heading: str, body: str) -> bool:
    """Change a demand's text; returns whether anything changed."""
    _check_demand_text(heading, body)
    statement = _lock_demand(demand)
    if (demand.heading, demand.body) == (heading, body):
        db.session.commit()
        return False
    _amend(statement)
    demand.heading, demand.body = heading, body
    record("statement.edit", _target(statement), f"demand {demand.position} edited")
    db.session.commit()
    return True


def delete_demand(demand: Demand) -> None:
    """Remove a demand; those after it move up so numbering stays 1..N."""
    statement = _lock_demand(demand)
    _amend(statement)
    position = demand.position
    remaining = [other for other in statement.demands if other.id != demand.id]
    statement.demands.remove(demand)
    db.session.flush()
    _renumber(statement, remaining)
    record("statement.edit", _target(statement), f"demand {position} deleted")
    db.session.commit()


def move_demand(demand: Demand, direction: str) -> bool:
    """Swap a demand with its neighbour ("up" or "down"); False when it is already at that end."""
    statement = _lock_demand(demand)
    ordered = list(statement.demands)
    index = ordered.index(demand)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(ordered):
        db.session.commit()
        return False
    _amend(statement)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(statement, ordered)
    record("statement.edit", _target(statement),
           f"demand {index + 1} moved {direction} to {target + 1}")
    db.session.commit()
    return True


def _check_demand_text(heading: str, body: str) -> None:
    if not (heading or body):
        raise StatementError(_("Give the demand a heading, a text, or both."), field="body")


def _renumber(statement: Statement, ordered: list[Demand]) -> None:
    """Give `ordered` the positions 1..N without ever breaking unique (statement, position).

    Every row first moves far above the range in one UPDATE, then takes its new place;
    no intermediate state has two rows on one position (and none goes below 1).
    """
    db.session.execute(
        update(Demand)
        .where(Demand.statement_id == statement.id)
        .values(position=Demand.position + _RENUMBER_OFFSET)
        .execution_options(synchronize_session="fetch")
    )
    for position, demand in enumerate(ordered, start=1):
        demand.position = position
    db.session.flush()
    db.session.expire(statement, ["demands"])


def _lock(statement: Statement) -> None:
    """Hold the statement row until commit, so two organizers' changes queue, not interleave.

    PostgreSQL takes a row lock; SQLite already lets only one writer in at a time.
    """
    fresh = {"populate_existing": True}
    db.session.execute(
        select(Statement).where(Statement.id == statement.id).with_for_update()
        .execution_options(**fresh)
    )
    db.session.execute(
        select(Demand).where(Demand.statement_id == statement.id).execution_options(**fresh)
    ).all()
    db.session.expire(statement, ["demands"])


def _lock_demand(demand: Demand) -> Statement:
    """Lock the demand's statement; the demand must still be there once the lock is held."""
    statement = demand.statement
    _lock(statement)
    if demand not in statement.demands:
        raise StatementError(_("That demand is no longer there: someone else removed it."))
    return statement


def _amend(statement: Statement) -> bool:
    """Before signed text changes: keep the current text as a revision and move to the next.

    Nothing is kept while nobody has signed; returns whether a revision was made.
    """
    if not has_signatures(statement):
        return False
    db.session.add(
        StatementRevision(
            statement_id=statement.id,
            number=statement.revision,
            title=statement.title,
            preamble=statement.preamble,
            closing=statement.closing,
            demands=[
                {"position": d.position, "heading": d.heading, "body": d.body}
                for d in statement.demands
            ],
            replaced_at=utcnow(),
        )
    )
    statement.revision += 1
    statement.amended_at = utcnow()
    return True


def _flush_or_slug_error(slug: str) -> None:
    """Flush; a unique clash on the slug (a race past the check) becomes a StatementError."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise _slug_taken_error(slug) from error


def _target(statement: Statement) -> str:
    return f"statement:{statement.slug}"
