"""What the public sees of who signed: the curated signatories, then the others, page by page."""
import math
from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement


def _curated(statement: Statement):
    return (
        Signature.statement_id == statement.id,
        Signature.featured_position.is_not(None),  # lets the (statement, position) index serve
        Signature.featured.is_(True),
        Signature.status == SignatureStatus.confirmed,
    )


def curated_signatories(statement: Statement, start: int = 0,
                        limit: int | None = None) -> list[Signature]:
    """The curated ("initial") signatories the public sees, in the organizers' order
    (from the `start`th, at most `limit` of them)."""
    return list(db.session.scalars(
        select(Signature).where(*_curated(statement))
        .order_by(Signature.featured_position, Signature.id)
        .offset(start).limit(limit)
    ))


def _others(statement: Statement, start: int, limit: int) -> list[Signature]:
    """The other listed signatories, newest first (from the `start`th, at most `limit`)."""
    return list(db.session.scalars(
        select(Signature)
        .where(
            Signature.statement_id == statement.id,
            Signature.status == SignatureStatus.confirmed,
            Signature.show_publicly.is_(True),
            Signature.featured.is_(False),
        )
        .order_by(Signature.created_at.desc(), Signature.id.desc())
        .offset(start).limit(limit)
    ))


def latest_signatories(statement: Statement, limit: int) -> list[Signature]:
    """The newest confirmed signatories who chose to be listed, curated or not, newest first
    (read backwards along the (statement, status, created_at) index)."""
    return list(db.session.scalars(
        select(Signature)
        .where(
            Signature.statement_id == statement.id,
            Signature.status == SignatureStatus.confirmed,
            Signature.show_publicly.is_(True),
        )
        .order_by(Signature.created_at.desc(), Signature.id.desc())
        .limit(limit)
    ))


def _curated_counts(statement: Statement) -> tuple[int, int]:
    """How many curated signatories the public sees, and how many of them the counts list."""
    shown, listed = db.session.execute(
        select(func.count(), func.count().filter(Signature.show_publicly.is_(True)))
        .where(*_curated(statement))
    ).one()
    return shown, listed


@dataclass(frozen=True)
class PublicListing:
    """One page of the list: the curated in their order, then the others newest first, as one
    sequence cut into pages. Reads as a page for the pagination macro (page, pages, ...)."""

    totals: counts.Totals
    #: This page's part of the curated signatories.
    curated: list[Signature]
    #: This page's part of the other listed signatories, after the last curated one.
    others: list[Signature]
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


def public_listing(statement: Statement, page: int, per_page: int) -> PublicListing:
    """What the statement page shows of who signed; 404 for a page past the end.

    The number of pages comes from the counts (listed, less the curated who are listed) and
    a count of the curated rows through their index, so paging never runs COUNT(*) over
    every signature of a large statement.
    """
    totals = counts.totals(statement.id)
    curated_shown, curated_listed = _curated_counts(statement)
    others_total = max(totals.listed - curated_listed, 0)
    pages = max(1, math.ceil((curated_shown + others_total) / per_page))
    if page > pages:
        abort(404)
    start = (page - 1) * per_page
    curated = curated_signatories(statement, start, per_page) if start < curated_shown else []
    room = per_page - len(curated)
    others = _others(statement, max(start - curated_shown, 0), room) if room else []
    return PublicListing(totals, curated, others, page, pages)
