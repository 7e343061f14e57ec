"""Writing and reading the audit log, and how it names the command line and people."""
import getpass

from flask import has_request_context
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from campaign.audit.models import AuditEntry
from campaign.common.hashing import keyed_hash
from campaign.common.emails import normalise_email
from campaign.extensions import db


def record(action: str, target: str = "", detail: str = "", actor=None) -> AuditEntry:
    """Add an audit entry to the current transaction; `actor` defaults to the logged-in organizer."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        organizer_id=getattr(actor, "id", None),
        actor=getattr(actor, "email", None) or (actor if isinstance(actor, str) else "cli"),
        action=action,
        target=target,
        detail=detail,
    )
    db.session.add(entry)
    return entry


def command_line_actor() -> str:
    """Who runs a command, for the audit log: "cli:<login name>"."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def person_reference(email: str) -> str:
    """How the audit log names a person: a keyed hash of the normalised address, never the address.

    So the log can say that an address was exported or erased without keeping it.
    """
    return f"person:{keyed_hash('person', normalise_email(email))[:20]}"


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
