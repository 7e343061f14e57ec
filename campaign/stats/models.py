from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaign.common.text import SOURCE_MAX_LENGTH
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db

#: The longest name of the partner a tracked link is for.
PARTNER_MAX_LENGTH = 200


class TrackedLink(db.Model):
    """A link with `?source=CODE` an organizer made for a partner, to a statement or an event."""

    __tablename__ = "tracked_links"
    __table_args__ = (
        UniqueConstraint("statement_id", "code"),
        UniqueConstraint("event_id", "code"),
        CheckConstraint("(statement_id IS NULL) <> (event_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"))
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: What the link carries as ?source= ("unite-leeds"); see `common.sources`.
    code: Mapped[str] = mapped_column(String(SOURCE_MAX_LENGTH))
    #: Who the link is for, as the organizers know them ("Unite, Leeds branch").
    partner: Mapped[str] = mapped_column(String(PARTNER_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatisticsSettings(db.Model):
    """Per statement: whether "Where signatories are from" and stats.json are public."""

    __tablename__ = "statement_statistics_settings"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True)
    public: Mapped[bool] = mapped_column(default=False)
