"""Reading the audit log for the owner's audit page; `privacy.service.record` writes to it."""
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from campaign.extensions import db
from campaign.privacy.models import AuditEntry


def audit_page(action: str, page: int, per_page: int) -> Pagination:
    """A page of the log, newest first; only the entries of `action` when one is given."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def audit_actions() -> list[str]:
    """Every action the log holds, in order, to filter the page by."""
    return db.session.scalars(
        select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
