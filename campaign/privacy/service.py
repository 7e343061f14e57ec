"""Audit log and the privacy duties; rules used by the dashboard and the CLI alike."""
from flask import has_request_context
from flask_login import current_user

from campaign.extensions import db
from campaign.privacy.models import AuditEntry


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
