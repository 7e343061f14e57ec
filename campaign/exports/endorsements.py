"""A statement's endorsing organisations as CSV, for the dashboard download.

Every endorsement, waiting or approved, with its private contact address: an organizer's
file, audited like the signatories' export.
"""
from collections.abc import Iterator
from datetime import date

from campaign.audit.service import record
from campaign.endorsements.service import all_endorsements
from campaign.exports.csv import csv_lines
from campaign.extensions import db
from campaign.statements.models import Statement

HEADER = ["name", "kind", "website", "status", "contact_email", "endorsed_at", "approved_at"]


def endorsements_csv(statement: Statement, bom: bool = False, actor=None) -> Iterator[str]:
    """The export, line by line; the audit entry is committed before the first line."""
    record("endorsements.export", f"statement:{statement.slug}", actor=actor)
    db.session.commit()
    rows = (
        [endorsement.name, endorsement.kind.value, endorsement.website, endorsement.status.value,
         endorsement.contact_email or "", endorsement.created_at, endorsement.approved_at]
        for endorsement in all_endorsements(statement.id)
    )
    return csv_lines(HEADER, rows, bom=bom)


def export_filename(statement: Statement, today: date) -> str:
    return f"endorsements-{statement.slug}-{today.isoformat()}.csv"
