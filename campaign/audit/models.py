from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db


class AuditEntry(db.Model):
    """Who exported, erased, anonymised or changed what, and when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL"), index=True
    )
    #: The organizer's email at the time, or "cli" for the command line.
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: What was acted on, e.g. "statement:free-ukraine".
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
