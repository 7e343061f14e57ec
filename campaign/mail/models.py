import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, Enum, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from campaign.common.crypto import EncryptedText
from campaign.common.hashing import email_index
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db


class OutboxStatus(enum.Enum):
    pending = "pending"
    #: Handed to the mail server under a claim; no sender claims it until its outcome is written.
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    #: Partial: the senders look for pending messages (and ones left sending); the sent ones,
    #: nearly all of the table once bulk mail has gone out, need no place in it.
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at",
                            postgresql_where=text("status IN ('pending', 'sending')"),
                            sqlite_where=text("status IN ('pending', 'sending')")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is about, e.g. "signature_confirmation".
    kind: Mapped[str] = mapped_column(String(64))
    #: The recipient's address, and what the body says to them (names, personal links):
    #: encrypted at rest.
    to: Mapped[str] = mapped_column(EncryptedText("outbox_messages.to"))
    #: The recipient's blind index (`email_index`), for privacy requests.
    to_index: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(EncryptedText("outbox_messages.body_text"))
    body_html: Mapped[str] = mapped_column(EncryptedText("outbox_messages.body_html"), default="")
    #: The recipient's own one-click unsubscribe address (RFC 8058), for bulk mail; encrypted,
    #: since it carries their token.
    unsubscribe_url: Mapped[Optional[str]] = mapped_column(
        EncryptedText("outbox_messages.unsubscribe_url")
    )
    #: What the sender renders, when the request only said what to write (see `enqueue`):
    #: templates/emails/<template>.txt and .html, given `context` (JSON; it holds names and
    #: personal links, so it is encrypted) in `locale`. Emptied once the bodies are written.
    template: Mapped[str] = mapped_column(String(64), default="", server_default="")
    context: Mapped[str] = mapped_column(EncryptedText("outbox_messages.context"), default="")
    locale: Mapped[str] = mapped_column(String(16), default="", server_default="")
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: The claim of the sender that holds it: outcomes are written only under that claim.
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    #: An SMTP refusal names the address, so it is encrypted too.
    last_error: Mapped[str] = mapped_column(EncryptedText("outbox_messages.last_error"), default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @validates("to")
    def _index_recipient(self, _key, to: str) -> str:
        self.to_index = email_index(to)
        return to

    @property
    def is_pending(self) -> bool:
        return self.status is OutboxStatus.pending

    @property
    def is_being_sent(self) -> bool:
        return self.status is OutboxStatus.sending

    @property
    def has_failed(self) -> bool:
        return self.status is OutboxStatus.failed

    @property
    def can_be_retried(self) -> bool:
        return self.has_failed

class RecipientDailyCount(db.Model):
    """How many messages about one statement or event one address was sent on one UTC day.

    Caps what a visitor can make the site send to someone else (MAIL_PER_RECIPIENT_DAILY);
    the key holds a keyed hash of the normalised address, never the address itself.
    """

    __tablename__ = "mail_recipient_counts"

    recipient_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: "statement" or "event".
    about: Mapped[str] = mapped_column(String(16), primary_key=True)
    about_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent: Mapped[int] = mapped_column(default=0, server_default="0")
