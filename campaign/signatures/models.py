import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    Date, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, false, func, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from campaign.common.crypto import EncryptedText
from campaign.common.emails import ascii_domain
from campaign.common.hashing import email_index
from campaign.common.text import (
    AFFILIATION_MAX_LENGTH, DOMAIN_MAX_LENGTH, NAME_MAX_LENGTH, SOURCE_MAX_LENGTH,
)
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.organizers.models import Organizer
from campaign.statements.models import Statement


class SignatureStatus(enum.Enum):
    pending = "pending"
    confirmed = "confirmed"
    hidden = "hidden"
    withdrawn = "withdrawn"


class HoldReason(enum.Enum):
    """Why a signature waits for its email confirmation (or an organizer) before it counts."""

    #: Its network address signed the statement faster than one person does (SIGN_HOLD_AFTER).
    busy_address = "busy_address"


class EntryMethod(enum.Enum):
    """How a signature reached the database."""

    #: Signed by the person on the statement page (or an embedded form).
    online = "online"
    #: Collected on paper or offline and entered by an organizer.
    paper = "paper"
    #: A curated signatory of an imported statement text.
    imported = "imported"


class Signature(db.Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per statement per person; NULL (curated, erased) never clashes.
        UniqueConstraint("statement_id", "email_index"),
        Index("ix_signatures_statement_status_created", "statement_id", "status", "created_at"),
        Index("ix_signatures_statement_featured", "statement_id", "featured_position"),
        Index("ix_signatures_updated_at", "updated_at"),
        Index("ix_signatures_email_due", "id", postgresql_where=text("email_due"),
              sqlite_where=text("email_due")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    #: The statement revision that was current when this was signed.
    revision: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    affiliation: Mapped[str] = mapped_column(String(AFFILIATION_MAX_LENGTH), default="")
    personal_capacity: Mapped[bool] = mapped_column(default=False)
    #: As typed; private, never shown publicly; encrypted at rest.
    email: Mapped[Optional[str]] = mapped_column(EncryptedText("signatures.email"))
    #: The address's blind index (`email_index`): what duplicates and look-ups compare.
    email_index: Mapped[Optional[str]] = mapped_column(String(64))
    #: The address's domain in ASCII form, for the abuse review's email-domain signal.
    email_domain: Mapped[Optional[str]] = mapped_column(String(255))
    #: ISO 3166-1 alpha-2.
    country: Mapped[str] = mapped_column(String(2), default="")
    show_publicly: Mapped[bool] = mapped_column(default=False)
    #: Curated ("initial") signatories are shown first, in featured_position order.
    featured: Mapped[bool] = mapped_column(default=False)
    featured_position: Mapped[Optional[int]]
    #: Read only by the organisers; encrypted at rest.
    comment: Mapped[str] = mapped_column(EncryptedText("signatures.comment"), default="")
    status: Mapped[SignatureStatus] = mapped_column(
        Enum(SignatureStatus, native_enum=False, length=16), default=SignatureStatus.pending
    )
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    #: Set when the signature was held: pending even where the statement needs no confirmation.
    held_reason: Mapped[Optional[HoldReason]] = mapped_column(
        Enum(HoldReason, native_enum=False, length=16)
    )
    #: Keyed hash of the signer's address, for abuse review; dropped after a retention period.
    ip_hash: Mapped[Optional[str]] = mapped_column(String(64))
    #: The code of the link that brought the signer ("unite-leeds", "paper"); "" when none.
    source: Mapped[str] = mapped_column(String(SOURCE_MAX_LENGTH), default="", server_default="")
    #: The domain of the site the signer came from (never the full address); "" when none.
    referrer_domain: Mapped[str] = mapped_column(
        String(DOMAIN_MAX_LENGTH), default="", server_default=""
    )
    #: How it was entered: signed online, entered from paper, or imported with the statement.
    entry_method: Mapped[EntryMethod] = mapped_column(
        Enum(EntryMethod, native_enum=False, length=16), default=EntryMethod.online,
        server_default=EntryMethod.online.name,
    )
    #: The day a paper or offline signature was collected (None for online signatures).
    collected_on: Mapped[Optional[date]] = mapped_column(Date)
    #: The organizer who entered it (paper), None when signed online or entered on the command line.
    entered_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    #: The language the person signed in (the page's): their emails are written in it.
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    #: Ticked "Email me updates about this campaign" when signing (the choice on the form,
    #: whatever their subscription became): the statistics' update opt-in rate counts it.
    wants_updates: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Signed online and not yet told: the mail sender writes its email (the confirmation link
    #: or the receipt) and the supporter record after the signing request has been answered,
    #: and announces it when it was confirmed as it arrived (`confirmed_on_arrival`).
    email_due: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: The last change of any kind (the API's `modified_date`); the server default serves
    #: rows written by plain SQL (bulk loads).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())

    statement: Mapped[Statement] = relationship(back_populates="signatures")
    entered_by: Mapped[Optional[Organizer]] = relationship()

    @validates("email")
    def _index_email(self, _key, email: str | None) -> str | None:
        for column, value in indexed_email(email).items():
            setattr(self, column, value)
        return email

    @property
    def confirmed_on_arrival(self) -> bool:
        """Confirmed by the request that stored it (no link to open, not held), and still
        confirmed: one confirmed later by its link or an organizer has its own moment."""
        return self.status is SignatureStatus.confirmed and self.confirmed_at == self.created_at

    @property
    def is_held(self) -> bool:
        """Waiting for its email link or an organizer's approval in the abuse review."""
        return self.status is SignatureStatus.pending and self.held_reason is not None

    @property
    def was_collected_on_paper(self) -> bool:
        return self.entry_method is EntryMethod.paper

    @property
    def can_be_hidden(self) -> bool:
        """A confirmed one leaves the counts; a held one is kept from ever counting."""
        return self.status is SignatureStatus.confirmed or self.is_held

    @property
    def can_be_shown(self) -> bool:
        return self.status is SignatureStatus.hidden

    @property
    def can_be_featured(self) -> bool:
        """Curated signatories are listed by name: only confirmed ones who chose to be shown."""
        return self.status is SignatureStatus.confirmed and self.show_publicly

    @property
    def can_be_corrected(self) -> bool:
        """A withdrawn signature has no details left to correct."""
        return self.status is not SignatureStatus.withdrawn


def indexed_email(email: str | None) -> dict:
    """The columns kept with an address: its blind index and its domain (None without one)."""
    return {
        "email_index": email_index(email) if email else None,
        "email_domain": ascii_domain(email) if email else None,
    }


class SignatureCountShard(db.Model):
    """Counts kept in several rows per statement, summed on read.

    A signature adds to one shard picked at random, so a burst of signing never
    queues on a single hot row; `signatures reconcile` recomputes them exactly.
    """

    __tablename__ = "signature_count_shards"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Signatures that count (confirmed).
    counted: Mapped[int] = mapped_column(default=0)
    #: Of those, how many the signatory chose to show publicly.
    listed: Mapped[int] = mapped_column(default=0)


class ResendRequest(db.Model):
    """Someone asked for the confirmation link again; the mail sender looks the address up.

    The request only writes this down, so it does the same work whether or not the address
    signed: neither the answer nor how long it takes tells anyone which. Deleted as soon as
    a sender has turned it into an email (or into nothing, for an address that never signed);
    the email is in the language the signature was made in. Until then a privacy export
    lists it and an erasure deletes it (`privacy.duties`).
    """

    __tablename__ = "signature_resend_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    #: As typed, like a signature's; private, so encrypted like it.
    email: Mapped[str] = mapped_column(EncryptedText("signature_resend_requests.email"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Breakdown(enum.Enum):
    """What a statistics counter is kept by; its `key` is the day, hour, country or source."""

    #: "2026-12-01": the UTC day the signature was made.
    day = "day"
    #: "2026-12-01T21": the UTC hour the signature was made.
    hour = "hour"
    #: ISO 3166-1 alpha-2, "" when not given.
    country = "country"
    #: The link's code, "" when none.
    source = "source"


class SignatureStatShard(db.Model):
    """Signatures made and counted per statement and day, hour, country or source, sharded.

    Kept in the same transaction as each signature like `SignatureCountShard` (a random shard
    takes the change), summed on read, recomputed by `signatures reconcile`.
    """

    __tablename__ = "signature_stat_shards"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    breakdown: Mapped[Breakdown] = mapped_column(
        Enum(Breakdown, native_enum=False, length=8), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(SOURCE_MAX_LENGTH), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Signatures made (any status; a deleted one leaves).
    signed: Mapped[int] = mapped_column(default=0)
    #: Of those, the ones that count (confirmed).
    counted: Mapped[int] = mapped_column(default=0)
    #: Of those made, the ones whose signer ticked "Email me updates" (`Signature.wants_updates`).
    opted_in: Mapped[int] = mapped_column(default=0, server_default="0")


class Milestone(db.Model):
    """A figure the organizers aim for, or a round figure reached; `reached_at` once crossed.

    Unique per statement and figure, so the organizers are told of a crossing once: the
    first transaction to set `reached_at` wins (`signatures.milestones`).
    """

    __tablename__ = "statement_milestones"
    __table_args__ = (UniqueConstraint("statement_id", "figure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    figure: Mapped[int] = mapped_column(Integer)
    #: Set by the organizers (True) or a round figure recorded when crossed (False).
    chosen: Mapped[bool] = mapped_column(default=True)
    reached_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

