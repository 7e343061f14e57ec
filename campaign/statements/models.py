import enum
import re
from datetime import datetime
from typing import Optional

from sqlalchemy import (
    true, CheckConstraint, Enum, ForeignKey, JSON, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db


#: A blank line: where a Markdown paragraph ends.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def summary_of(preamble: str) -> str:
    """The preamble's first paragraph (Markdown): what a page linking to a statement shows."""
    return _PARAGRAPH_BREAK.split((preamble or "").strip(), maxsplit=1)[0]


class Campaign(db.Model):
    """The organisation running statements and events; a deployment can host several."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")


class StatementStatus(enum.Enum):
    draft = "draft"
    published = "published"
    closed = "closed"


class Statement(db.Model):
    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint("signature_goal IS NULL OR signature_goal > 0", name="goal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: Markdown, rendered and sanitised on display.
    preamble: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StatementStatus] = mapped_column(
        Enum(StatementStatus, native_enum=False, length=16), default=StatementStatus.draft
    )
    signature_goal: Mapped[Optional[int]]
    language: Mapped[str] = mapped_column(String(16), default="en")
    #: Whether a signature counts only after its email link is confirmed.
    requires_confirmation: Mapped[bool] = mapped_column(default=True, server_default=true())
    opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The revision new signatures are given on; goes up when signed text is amended.
    revision: Mapped[int] = mapped_column(default=1, server_default=true())
    amended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    demands: Mapped[list["Demand"]] = relationship(
        back_populates="statement", order_by="Demand.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list["StatementRevision"]] = relationship(
        order_by="StatementRevision.number", cascade="all, delete-orphan"
    )
    signatures: WriteOnlyMapped["Signature"] = relationship(  # noqa: F821
        back_populates="statement", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def summary(self) -> str:
        return summary_of(self.preamble)

    @property
    def is_draft(self) -> bool:
        return self.status is StatementStatus.draft

    @property
    def is_closed(self) -> bool:
        return self.status is StatementStatus.closed

    @property
    def can_be_published(self) -> bool:
        return self.status is StatementStatus.draft

    @property
    def can_be_closed(self) -> bool:
        return self.status is StatementStatus.published

    @property
    def can_be_reopened(self) -> bool:
        return self.status is StatementStatus.closed


class Demand(db.Model):
    """One numbered point; positions run 1..N with no gaps."""

    __tablename__ = "demands"
    __table_args__ = (
        UniqueConstraint("statement_id", "position"),
        CheckConstraint("position > 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    position: Mapped[int]
    heading: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[Statement] = relationship(back_populates="demands")


class StatementRevision(db.Model):
    """The text as it stood before an amendment, kept once people had signed it."""

    __tablename__ = "statement_revisions"
    __table_args__ = (UniqueConstraint("statement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    preamble: Mapped[str] = mapped_column(Text)
    closing: Mapped[str] = mapped_column(Text)
    #: [{"position": 1, "heading": "...", "body": "..."}, ...]
    demands: Mapped[list] = mapped_column(JSON)
    #: When this text stopped being current.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementTranslation(db.Model):
    """The statement's text in another language. Signatures belong to the statement, not to
    a translation: one count and one list, whichever language people signed in."""

    __tablename__ = "statement_translations"
    __table_args__ = (UniqueConstraint("statement_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    #: A language code from LANGUAGES ("uk"); never the statement's own language.
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    preamble: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    #: [{"position": 1, "heading": "...", "body": "..."}, ...], one per demand of the original.
    demands: Mapped[list] = mapped_column(JSON)
    #: This translation's own revision number: goes up each time its text is replaced.
    revision: Mapped[int] = mapped_column(default=1)
    #: A digest of the original's text as it stood when this was written (`text_digest`):
    #: when the original is amended afterwards, the translation is out of date.
    original_digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    statement: Mapped[Statement] = relationship()
    revisions: Mapped[list["StatementTranslationRevision"]] = relationship(
        order_by="StatementTranslationRevision.number", cascade="all, delete-orphan"
    )


class StatementTranslationRevision(db.Model):
    """A translation's text as it stood before it was replaced."""

    __tablename__ = "statement_translation_revisions"
    __table_args__ = (UniqueConstraint("translation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("statement_translations.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    preamble: Mapped[str] = mapped_column(Text)
    closing: Mapped[str] = mapped_column(Text)
    demands: Mapped[list] = mapped_column(JSON)
    #: When this text stopped being current.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
