"""What the public sees of who signed: the curated signatories first, then a page of others."""
import math
from dataclasses import dataclass

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement


def curated_signatories(statement: Statement) -> list[Signature]:
    """The curated ("initial") signatories the public sees, in the organizers' order."""
    return list(db.session.scalars(
        select(Signature)
        .where(
            Signature.statement_id == statement.id,
            Signature.featured_position.is_not(None),  # lets the (statement, position) index serve
            Signature.featured.is_(True),
            Signature.status == SignatureStatus.confirmed,
        )
        .order_by(Signature.featured_position, Signature.id)
    ))


@dataclass(frozen=True)
class PublicListing:
    totals: counts.Totals
    #: Shown on the first page only.
    curated: list[Signature]
    #: A page of the other listed signatories, newest first.
    others: Pagination


def public_listing(statement: Statement, page: int, per_page: int) -> PublicListing:
    """What the statement page shows of who signed; 404 for a page past the end.

    The number of pages comes from the counts (listed, less the curated who are listed),
    so paging never runs COUNT(*) over a large statement.
    """
    totals = counts.totals(statement.id)
    curated = curated_signatories(statement)
    others_total = max(totals.listed - sum(1 for s in curated if s.show_publicly), 0)
    if page > max(1, math.ceil(others_total / per_page)):
        abort(404)
    others = db.paginate(
        select(Signature)
        .where(
            Signature.statement_id == statement.id,
            Signature.status == SignatureStatus.confirmed,
            Signature.show_publicly.is_(True),
            Signature.featured.is_(False),
        )
        .order_by(Signature.created_at.desc(), Signature.id.desc()),
        page=page, per_page=per_page, count=False,
    )
    others.total = others_total
    return PublicListing(totals, curated if page == 1 else [], others)
