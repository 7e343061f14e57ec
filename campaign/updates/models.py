import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.common.text import SOURCE_MAX_LENGTH
from campaign.common.time import UTCDateTime, utcnow
from campaign.events.models import Event
from campaign.extensions import db
from campaign.statements.models import Campaign, Statement


class AudienceKind(enum.Enum):
    #: Every subscribed supporter of the campaign.
    campaign = "campaign"
    #: The subscribed supporters among a statement's confirmed signatories.
    statement = "statement"
    #: An event's registrants (a group of them), subscribed or not: practical messages.
    event = "event"


class RegistrantGroup(enum.Enum):
    all = "all"
    confirmed = "confirmed"
    waiting = "waiting"
    checked_in = "checked_in"


class UpdateStatus(enum.Enum):
    draft = "draft"
    #: Waits for `send_at`; the next delivery round on or after it queues the recipients.
    scheduled = "scheduled"
    #: Recipients queued; handed to the outbox batch by batch.
    sending = "sending"
    #: Every recipient handed to the outbox.
    sent = "sent"
    #: Stopped by an organizer: nobody not yet handed over gets it.
    stopped = "stopped"


class Update(db.Model):
    """An email to an audience, written from a subject and a Markdown body.

    Each recipient is a row of `update_recipients`, written in one INSERT ... SELECT when
    sending starts; the mail sender's rounds render them into the outbox batch by batch.
    """

    __tablename__ = "updates"
    __table_args__ = (Index("ix_updates_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    #: Markdown, sanitised when rendered.
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[AudienceKind] = mapped_column(Enum(AudienceKind, native_enum=False, length=16))
    statement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"))
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registrant_group: Mapped[RegistrantGroup] = mapped_column(
        Enum(RegistrantGroup, native_enum=False, length=16), default=RegistrantGroup.all)
    #: Narrowing: only signatories from this country (ISO 3166-1 alpha-2); "" for all.
    country: Mapped[str] = mapped_column(String(2), default="")
    #: Narrowing: only people who came by this link's source code; "" for all.
    source: Mapped[str] = mapped_column(String(SOURCE_MAX_LENGTH), default="")
    #: Set on the one automatic reminder of an event (unique: each event is reminded once).
    reminder_for_event_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    status: Mapped[UpdateStatus] = mapped_column(
        Enum(UpdateStatus, native_enum=False, length=16), default=UpdateStatus.draft)
    send_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: How many recipients were queued when sending started.
    audience_size: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    statement: Mapped[Optional[Statement]] = relationship(foreign_keys=[statement_id])
    event: Mapped[Optional[Event]] = relationship(foreign_keys=[event_id])

    @property
    def is_draft(self) -> bool:
        return self.status is UpdateStatus.draft

    @property
    def can_be_sent(self) -> bool:
        return self.status in (UpdateStatus.draft, UpdateStatus.scheduled)

    @property
    def can_be_stopped(self) -> bool:
        return self.status in (UpdateStatus.scheduled, UpdateStatus.sending)

    @property
    def is_in_progress(self) -> bool:
        return self.status in (UpdateStatus.scheduled, UpdateStatus.sending)

    @property
    def is_practical(self) -> bool:
        """About an event the person registered for: goes whether they subscribed or not."""
        return self.audience is AudienceKind.event


class RecipientStatus(enum.Enum):
    queued = "queued"
    #: Written to the outbox (`outbox_message_id`): the mail sender has it from here.
    handed = "handed"
    #: Not sent: the update was stopped, or the person unsubscribed or bounced meanwhile.
    skipped = "skipped"


class UpdateRecipient(db.Model):
    """One address an update goes to. Their own signature or registration (for the link in
    their message) is found by `email_index` under the update's statement or event."""

    __tablename__ = "update_recipients"
    __table_args__ = (
        UniqueConstraint("update_id", "email_index"),
        # Partial: only what waits to be handed over, in the order it is (`hand_over` reads
        # it in order, never past the rows already handed); an update's rows by update_id go
        # through the unique constraint's index.
        Index("ix_update_recipients_queued", "id",
              postgresql_where=text("status = 'queued'"), sqlite_where=text("status = 'queued'")),
        # Partial: every row is queued without an outbox message; only handed ones need finding
        # (a stop, and the foreign key's SET NULL when an outbox message is deleted).
        Index("ix_update_recipients_outbox_message_id", "outbox_message_id",
              postgresql_where=text("outbox_message_id IS NOT NULL"),
              sqlite_where=text("outbox_message_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    #: The address's blind index: one message per address per update.
    email_index: Mapped[str] = mapped_column(String(64))
    supporter_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), index=True)
    status: Mapped[RecipientStatus] = mapped_column(
        Enum(RecipientStatus, native_enum=False, length=16), default=RecipientStatus.queued)
    outbox_message_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))
