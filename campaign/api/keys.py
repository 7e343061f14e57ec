"""API keys: made (shown once), looked up by their hash, revoked; used by the API and the
dashboard and `flask api-keys`."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select, update

from campaign.api.models import KEY_NAME_MAX_LENGTH, ApiKey, ApiScope
from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.text import has_control_characters
from campaign.common.time import utcnow
from campaign.extensions import db

#: What every key starts with, so a leaked one is easy to recognise (and to search code for).
KEY_PREFIX = "cpk_"
#: The longest a key presented in a request may be; anything longer is not one of ours.
KEY_MAX_LENGTH = 100
#: `last_used_at` is written at most this often per key.
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiKeyError(DomainError):
    pass


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    #: The key itself: shown this once, never stored.
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(name: str, scope: ApiScope, actor=None) -> NewKey:
    """A new key named `name`; the secret is returned once and only its hash is kept. Audited."""
    name = (name or "").strip()
    if not name or len(name) > KEY_NAME_MAX_LENGTH or has_control_characters(name):
        raise ApiKeyError(_("Give the key a name of up to %(max)d characters.",
                            max=KEY_NAME_MAX_LENGTH), field="name")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, scope=scope, prefix=secret[:10], key_hash=_digest(secret),
                 created_by=getattr(actor, "email", None) or (actor or ""))
    db.session.add(key)
    db.session.flush()
    record("api_key.create", f"api-key:{key.id}", f"{scope.value}: {name}", actor=actor)
    db.session.commit()
    return NewKey(key, secret)


def revoke_key(key: ApiKey, actor=None) -> None:
    """The key stops working at once; it stays listed, revoked, for the record. Audited."""
    if not key.is_active:
        return
    key.revoked_at = utcnow()
    record("api_key.revoke", f"api-key:{key.id}", key.name, actor=actor)
    db.session.commit()


def key_for(secret: str) -> ApiKey | None:
    """The active key `secret` is, or None; notes its use (at most once a minute)."""
    if not secret or len(secret) > KEY_MAX_LENGTH or not secret.startswith(KEY_PREFIX):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(secret)))
    if key is None or not key.is_active:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USE_PRECISION:
        db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        key.last_used_at = now
    return key


def get_key(key_id: int) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def keys_page(page: int, per_page: int) -> Pagination:
    """Active keys first, newest first."""
    return db.paginate(
        select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(),
                                ApiKey.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )
