import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from campaign.common.crypto import EncryptedText
from campaign.common.hashing import email_index
from campaign.common.text import NAME_MAX_LENGTH
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db


class SubscriptionState(enum.Enum):
    #: Signed or registered without asking for updates.
    not_subscribed = "not_subscribed"
    #: Asked for updates where the address is not yet proven theirs: waits for the emailed link.
    pending = "pending"
    subscribed = "subscribed"
    unsubscribed = "unsubscribed"
    #: The mail server refused the address for good (a 5xx answer).
    bounced = "bounced"
    #: The person reported an update as spam.
    complained = "complained"


#: States that never receive another update, whatever anyone asks on a public form.
NEVER_MAILED = (SubscriptionState.bounced, SubscriptionState.complained)


class SubscriptionSource(enum.Enum):
    """How a supporter subscribed."""

    signing = "signing"
    registration = "registration"
    subscribe_form = "subscribe_form"


class Supporter(db.Model):
    """One person in one campaign, known by the blind index of their address.

    Their signatures and registrations in the campaign are the rows with the same
    `email_index` on the campaign's statements and events (`service.signatures_of`,
    `service.registrations_of`), so erasing those rows' addresses unlinks them.
    """

    __tablename__ = "supporters"
    __table_args__ = (
        UniqueConstraint("campaign_id", "email_index"),
        Index("ix_supporters_campaign_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    #: As last given; encrypted at rest.
    email: Mapped[str] = mapped_column(EncryptedText("supporters.email"))
    email_index: Mapped[str] = mapped_column(String(64))
    #: The name they last gave, for the greeting of an update.
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    state: Mapped[SubscriptionState] = mapped_column(
        Enum(SubscriptionState, native_enum=False, length=16),
        default=SubscriptionState.not_subscribed,
    )
    subscribed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    subscribed_via: Mapped[Optional[SubscriptionSource]] = mapped_column(
        Enum(SubscriptionSource, native_enum=False, length=16)
    )
    #: UPDATES_CONSENT_VERSION of the text they agreed to when they subscribed.
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    #: When the state last changed (unsubscribed, bounced ...).
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("email")
    def _index_email(self, _key, email: str) -> str:
        self.email_index = email_index(email)
        return email

    @property
    def is_subscribed(self) -> bool:
        return self.state is SubscriptionState.subscribed

    @property
    def is_never_mailed(self) -> bool:
        return self.state in NEVER_MAILED
