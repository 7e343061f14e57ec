import enum
from datetime import date, datetime, time, timezone
from typing import Optional

from sqlalchemy import Column, Enum, ForeignKey, JSON, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.common.time import UTCDateTime, utcnow
from campaign.events.models import Event
from campaign.extensions import db
from campaign.statements.models import Campaign, Statement

#: Which statements and which events a post is about (many to many).
post_statements = Table(
    "post_statements", db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("statement_id", ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
post_events = Table(
    "post_events", db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PostStatus(enum.Enum):
    draft = "draft"
    published = "published"


class Post(db.Model):
    """A news post or briefing: Markdown text, and optionally the shape of a briefing (key
    takeaways, quotations with who said them, the source it summarises)."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: One or two sentences, plain text: the feed's summary and the link preview's description.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Markdown, rendered and sanitised on display.
    body: Mapped[str] = mapped_column(Text, default="")
    #: ["...", ...]: the key takeaways, each a line of plain text.
    takeaways: Mapped[list] = mapped_column(JSON, default=list)
    #: [{"text": "...", "speaker": "..."}, ...]: quotations and who said them.
    quotations: Mapped[list] = mapped_column(JSON, default=list)
    source_title: Mapped[str] = mapped_column(String(300), default="")
    source_publisher: Mapped[str] = mapped_column(String(200), default="")
    source_date: Mapped[Optional[date]]
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[PostStatus] = mapped_column(
        Enum(PostStatus, native_enum=False, length=16), default=PostStatus.draft, index=True
    )
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    statements: Mapped[list[Statement]] = relationship(
        secondary=post_statements, order_by=Statement.title)
    events: Mapped[list[Event]] = relationship(secondary=post_events, order_by=Event.starts_at)

    @property
    def is_draft(self) -> bool:
        return self.status is PostStatus.draft

    @property
    def is_published(self) -> bool:
        return self.status is PostStatus.published

    @property
    def has_source(self) -> bool:
        return bool(self.source_title or self.source_url)

    @property
    def source_day(self) -> datetime | None:
        """The source's date as a UTC moment at noon, for the date filters that show it."""
        if self.source_date is None:
            return None
        return datetime.combine(self.source_date, time(12), tzinfo=timezone.utc)
