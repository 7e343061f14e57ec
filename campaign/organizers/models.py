import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db


class Role(enum.Enum):
    """A viewer reads and exports; an editor also changes; an owner also manages organizers."""

    viewer = 1
    editor = 2
    owner = 3

    def allows(self, needed: "Role") -> bool:
        return self.value >= needed.value


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Organizer(UserMixin, db.Model):
    __tablename__ = "organizers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The language the dashboard speaks to this organizer (one of LANGUAGES).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    #: Part of every session and remember cookie; a new one ends all of them (`end_sessions`).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token,
                                                server_default="")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id: a cookie carrying an older token loads nobody."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)


class LoginThrottle(db.Model):
    """Counted failed logins on one account from one kind of browser (`organizers.throttle`).

    Keyed by a keyed hash of the account's email and the browser's device id, if any, so
    neither is stored.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
