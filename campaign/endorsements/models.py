import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from campaign.common.crypto import EncryptedText
from campaign.common.hashing import email_index
from campaign.common.text import NAME_MAX_LENGTH
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.organizers.models import Organizer
from campaign.statements.models import Statement

WEBSITE_MAX_LENGTH = 500


class OrganisationKind(enum.Enum):
    trade_union = "trade_union"
    political_party = "political_party"
    ngo = "ngo"
    community_group = "community_group"
    student_group = "student_group"
    faith_group = "faith_group"
    business = "business"
    other = "other"


class EndorsementStatus(enum.Enum):
    #: Submitted on the public form, waiting for an organizer.
    pending = "pending"
    #: Shown on the statement page, in the API and counted.
    approved = "approved"


class Endorsement(db.Model):
    __tablename__ = "endorsements"
    __table_args__ = (
        # One endorsement per organisation and statement, however its name is capitalised.
        UniqueConstraint("statement_id", "name_key"),
        Index("ix_endorsements_statement_status_name", "statement_id", "status", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    #: The name case-folded with its spaces collapsed: what the unique constraint compares.
    name_key: Mapped[str] = mapped_column(String(2 * NAME_MAX_LENGTH))
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(OrganisationKind, native_enum=False, length=32), default=OrganisationKind.other
    )
    #: An http(s) address, or "".
    website: Mapped[str] = mapped_column(String(WEBSITE_MAX_LENGTH), default="")
    #: The logo as re-encoded by `common.logo` (a PNG), or None.
    logo_png: Mapped[Optional[bytes]] = mapped_column(LargeBinary, deferred=True)
    logo_digest: Mapped[Optional[str]] = mapped_column(String(16))
    #: Who to write to about the endorsement; private, never shown publicly; encrypted at rest.
    contact_email: Mapped[Optional[str]] = mapped_column(EncryptedText("endorsements.contact_email"))
    #: The contact address's blind index, for the privacy look-ups.
    contact_email_index: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    status: Mapped[EndorsementStatus] = mapped_column(
        Enum(EndorsementStatus, native_enum=False, length=16), default=EndorsementStatus.pending
    )
    #: The organizer who entered it, None when submitted on the public form.
    entered_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    statement: Mapped[Statement] = relationship()
    entered_by: Mapped[Optional[Organizer]] = relationship()

    @validates("contact_email")
    def _index_contact_email(self, _key, email: str | None) -> str | None:
        self.contact_email_index = email_index(email) if email else None
        return email

    @validates("name")
    def _key_name(self, _key, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @property
    def is_pending(self) -> bool:
        return self.status is EndorsementStatus.pending

    @property
    def has_logo(self) -> bool:
        return self.logo_digest is not None


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()
