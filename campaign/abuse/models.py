import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.signatures.models import SignatureStatus
from campaign.statements.models import Statement


class RefusedAttempts(db.Model):
    """Signing attempts the rate limits refused, per statement and hour.

    Kept in shards like the signature counts, so a flood of refusals never queues on one row.
    """

    __tablename__ = "refused_attempts"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    #: The start of the UTC hour the refusals fell in.
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    refused: Mapped[int] = mapped_column(default=0)


class Signal(enum.Enum):
    """What a surge of signatures has in common."""

    address = "address"
    domain = "domain"
    country = "country"


class HiddenBatch(db.Model):
    """Signatures an organizer hid at once after a surge was flagged; undone as one."""

    __tablename__ = "hidden_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    signal: Mapped[Signal] = mapped_column(Enum(Signal, native_enum=False, length=16))
    #: The address hash, email domain or country code the signatures shared.
    value: Mapped[str] = mapped_column(String(320))
    #: The flagged window: signatures created from `since` up to `until` were hidden.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    hidden_count: Mapped[int] = mapped_column(default=0)
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_by: Mapped[str] = mapped_column(String(320), default="")
    undone_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    undone_by: Mapped[str] = mapped_column(String(320), default="")

    statement: Mapped[Statement] = relationship()
    members: Mapped[list["HiddenBatchMember"]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", passive_deletes=True
    )


class HiddenBatchMember(db.Model):
    """One signature a batch hid, with the status it had, so undo restores exactly that."""

    __tablename__ = "hidden_batch_members"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("hidden_batches.id", ondelete="CASCADE"), primary_key=True
    )
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    previous_status: Mapped[SignatureStatus] = mapped_column(
        Enum(SignatureStatus, native_enum=False, length=16)
    )

    batch: Mapped[HiddenBatch] = relationship(back_populates="members")
