"""API keys: what a partner's server shows to read personal data or to write through the API."""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db

KEY_NAME_MAX_LENGTH = 100


class ApiScope(enum.Enum):
    #: Reads everything the API has, personal data included.
    read = "read"
    #: Reads, and records signatures and attendances through the public forms' rules.
    write = "write"

    def allows(self, needed: "ApiScope") -> bool:
        return self is ApiScope.write or needed is ApiScope.read


class ApiKey(db.Model):
    """A key is shown once when made; only its SHA-256 is kept, so a copy of the database
    cannot be used to call the API."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(KEY_NAME_MAX_LENGTH))
    scope: Mapped[ApiScope] = mapped_column(Enum(ApiScope, native_enum=False, length=16))
    #: The key's first characters ("cpk_3f9a1c"), shown so a key can be recognised.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the whole key, hex: what a request's key is looked up by.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Who made it: an organizer's email or "cli:<login>".
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Written at most once a minute per key, so reading the API is not a write per request.
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
