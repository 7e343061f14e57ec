"""Money taken online through a payment provider: one `Payment` per checkout session (a ticket
or a gift to an appeal), and the `Refund`s made against it. No card data is ever held: the
provider's page takes the card, and only its references are kept here."""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from campaign.common.crypto import EncryptedText
from campaign.common.hashing import email_index
from campaign.common.time import UTCDateTime, utcnow
from campaign.events.models import MINOR_UNITS, Appeal, Event, Registration
from campaign.extensions import db


class PaymentState(enum.Enum):
    #: The checkout session is open: the person may still pay.
    open = "open"
    paid = "paid"
    #: The session expired or was abandoned unpaid.
    expired = "expired"
    #: Paid, then given back in full.
    refunded = "refunded"


class PaymentKind(enum.Enum):
    ticket = "ticket"
    gift = "gift"


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PaymentKind] = mapped_column(Enum(PaymentKind, native_enum=False, length=16))
    #: The ticket's registration; None for a gift.
    registration_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True)
    appeal_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appeals.id", ondelete="SET NULL"), index=True)
    #: The giver of a gift (a ticket's payer is its registrant); erased on request.
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Encrypted at rest; for the receipt.
    email: Mapped[Optional[str]] = mapped_column(EncryptedText("payments.email"))
    email_index: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    amount_minor: Mapped[int] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(32), default="stripe")
    #: The language the payer paid in (a ticket's: its registration's): the receipt is written
    #: in it, though the provider's webhook that settles the payment has none.
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    state: Mapped[PaymentState] = mapped_column(
        Enum(PaymentState, native_enum=False, length=16), default=PaymentState.open)
    #: Sent with the create request, so a retried request never opens a second session.
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: The provider's checkout session id (cs_...) and its payment id (pi_...).
    provider_session_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    provider_payment_id: Mapped[Optional[str]] = mapped_column(String(255))
    checkout_url: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    registration: Mapped[Optional[Registration]] = relationship()
    event: Mapped[Optional[Event]] = relationship()
    appeal: Mapped[Optional[Appeal]] = relationship()
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment",
                                                   order_by="Refund.id")

    @validates("email")
    def _index_email(self, _key, email: str | None) -> str | None:
        self.email_index = email_index(email) if email else None
        return email

    @property
    def is_paid(self) -> bool:
        return self.state is PaymentState.paid

    @property
    def is_open(self) -> bool:
        return self.state is PaymentState.open

    @property
    def refunded_minor(self) -> int:
        return sum(refund.amount_minor for refund in self.refunds if refund.succeeded)

    @property
    def failed_refund(self) -> Optional["Refund"]:
        """The last refund the provider refused, while nothing has been refunded since."""
        if self.state is PaymentState.refunded:
            return None
        failed = [refund for refund in self.refunds if refund.is_failed]
        return failed[-1] if failed else None


class RefundState(enum.Enum):
    succeeded = "succeeded"
    #: The provider accepted it and will finish it (bank transfers take days).
    pending = "pending"
    #: Refused or unreachable: shown on the dashboard with a retry.
    failed = "failed"


class Refund(db.Model):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"),
                                            index=True)
    amount_minor: Mapped[int] = mapped_column(MINOR_UNITS)
    state: Mapped[RefundState] = mapped_column(Enum(RefundState, native_enum=False, length=16))
    provider_refund_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    #: The provider's message when it failed (never card data).
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")

    @property
    def succeeded(self) -> bool:
        return self.state in (RefundState.succeeded, RefundState.pending)

    @property
    def is_failed(self) -> bool:
        return self.state is RefundState.failed
