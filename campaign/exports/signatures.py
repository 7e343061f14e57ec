"""Signatories as CSV, for the dashboard download and `flask signatures export` alike.

Rows are read through a server-side cursor (PostgreSQL) or in batches (SQLite) and
written one at a time, so a statement with a million signatures exports in constant memory.
"""
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from campaign.exports.csv import csv_lines
from campaign.extensions import db
from campaign.audit.service import record
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement

HEADER = [
    "position", "name", "affiliation", "personal_capacity", "country", "email", "status",
    "curated", "signed_at", "comment", "source", "referrer_domain",
]
#: all: every signature not withdrawn; public: what the statement page lists
#: (confirmed, and shown publicly or curated); curated: the featured, not withdrawn.
WHICH = ("all", "public", "curated")
_BATCH = 1000
_COLUMNS = (
    Signature.name, Signature.affiliation, Signature.personal_capacity, Signature.country,
    Signature.email, Signature.status, Signature.featured, Signature.created_at,
    Signature.comment, Signature.source, Signature.referrer_domain,
)


def signatories_csv(statement: Statement, which: str = "all", bom: bool = False,
                    actor=None) -> Iterator[str]:
    """The export, line by line; the audit entry is committed before the first line."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(WHICH)}")
    record("signatures.export", f"statement:{statement.slug}", f"which={which}", actor=actor)
    db.session.commit()
    return csv_lines(HEADER, _rows(statement.id, which), bom=bom)


def export_filename(statement: Statement, today: date) -> str:
    return f"signatories-{statement.slug}-{today.isoformat()}.csv"


def _rows(statement_id: int, which: str) -> Iterator[list]:
    """Curated signatories first in their order, then the rest in the order they signed."""
    position = 0
    for part in _queries(statement_id, which):
        result = db.session.execute(part.execution_options(yield_per=_BATCH))
        for row in result:
            position += 1
            (name, affiliation, personal_capacity, country, email, status, featured,
             signed_at, comment, source, referrer_domain) = row
            yield [position, name, affiliation, personal_capacity, country, email or "",
                   status.value, featured, signed_at, comment, source, referrer_domain]


def _queries(statement_id: int, which: str):
    base = select(*_COLUMNS).where(Signature.statement_id == statement_id)
    if which == "public":
        base = base.where(Signature.status == SignatureStatus.confirmed)
    else:
        base = base.where(Signature.status != SignatureStatus.withdrawn)
    curated = base.where(Signature.featured.is_(True)).order_by(
        Signature.featured_position, Signature.id
    )
    if which == "curated":
        return [curated]
    others = base.where(Signature.featured.is_(False))
    if which == "public":
        others = others.where(Signature.show_publicly.is_(True))
    return [curated, others.order_by(Signature.created_at, Signature.id)]
