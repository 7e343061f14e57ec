"""Webhook endpoints and the deliveries queued for them (an outbox, like the mail's)."""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.common.crypto import EncryptedText
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db

URL_MAX_LENGTH = 500


class WebhookEvent(enum.Enum):
    """What an endpoint can ask to be told about; the value is the `event` of a delivery."""

    signature_confirmed = "signature.confirmed"
    signature_withdrawn = "signature.withdrawn"
    registration_confirmed = "registration.confirmed"
    registration_cancelled = "registration.cancelled"
    waitlist_promoted = "registration.promoted"
    person_unsubscribed = "person.unsubscribed"


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    #: The shared secret deliveries are signed with; encrypted at rest like personal data.
    secret: Mapped[str] = mapped_column(EncryptedText("webhook_endpoints.secret"))
    #: The values of the WebhookEvents it wants.
    events: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    #: Deliveries that failed for good in a row; WEBHOOK_DISABLE_AFTER of them switch it off.
    failures_in_a_row: Mapped[int] = mapped_column(default=0)
    #: Why it was switched off, when it was (by the worker, or by an owner).
    disabled_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def wants(self, event: WebhookEvent) -> bool:
        return self.active and event.value in self.events

    @property
    def event_list(self) -> list[WebhookEvent]:
        return [event for event in WebhookEvent if event.value in self.events]


class DeliveryStatus(enum.Enum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookDelivery(db.Model):
    """One event for one endpoint. It names what changed (`resource`, e.g. "signature:12"),
    never its personal data: the body is made from the record as it is when sent, so an
    erasure before then reaches the webhook too."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(64))
    #: "signature:<id>", "registration:<id>" or "person:<blind index>".
    resource: Mapped[str] = mapped_column(String(100))
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: The worker that holds it; outcomes are written only under that claim.
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The HTTP status the endpoint last answered, if it answered.
    response_status: Mapped[Optional[int]]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()

    @property
    def is_delivered(self) -> bool:
        return self.status is DeliveryStatus.delivered

    @property
    def can_be_resent(self) -> bool:
        return self.status is not DeliveryStatus.pending
