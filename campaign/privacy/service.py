"""The privacy primitives every domain uses: the audit log, keyed hashes of IP addresses and
of people's email addresses. The duties built on them (subject access, erasure, retention)
are in `privacy.duties`, which calls into the domains that import these.
"""
import getpass
import hashlib
import hmac
import ipaddress

from flask import current_app, has_request_context
from flask_login import current_user

from campaign.common.emails import normalise_email
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


def command_line_actor() -> str:
    """Who runs a command, for the audit log: "cli:<login name>"."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def _derived_key(purpose: str) -> bytes:
    """A key for one purpose, derived from SECRET_KEY, so no two uses share a key."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"campaign.privacy.{purpose}".encode(), hashlib.sha256).digest()


def ip_hash(address: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) of an IP address: the address itself is never stored.

    Equal addresses in any notation give the same hash, so abuse from one address can
    still be seen; without SECRET_KEY the hash cannot be reversed by trying addresses.
    """
    value = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        value = (getattr(parsed, "ipv4_mapped", None) or parsed).compressed
    return hmac.new(_derived_key("ip-hash"), value.encode(), hashlib.sha256).hexdigest()


def person_reference(email: str) -> str:
    """How the audit log names a person: a keyed hash of the normalised address, never the address.

    So the log can say that an address was exported or erased without keeping it.
    """
    digest = hmac.new(_derived_key("person"), normalise_email(email).encode(), hashlib.sha256)
    return f"person:{digest.hexdigest()[:20]}"
