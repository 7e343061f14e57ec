import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import (
    BigInteger, CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
    false, func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from campaign.common.crypto import EncryptedText
from campaign.common.hashing import email_index
from campaign.common.text import DOMAIN_MAX_LENGTH, SOURCE_MAX_LENGTH
from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.statements.models import Campaign, Statement

#: Every money column: integer minor units in 64 bits, so a currency with four decimals (CLF,
#: UYW) has room for large sums. SQLite's INTEGER already holds 64 bits; PostgreSQL's is 32.
MINOR_UNITS = BigInteger().with_variant(Integer(), "sqlite")


class Appeal(db.Model):
    """A fund that supporter tickets pledge towards (for example a humanitarian appeal)."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_slug", "slug", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Integer minor units (pence, cents) of `currency`.
    target_minor: Mapped[Optional[int]] = mapped_column(MINOR_UNITS)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    website: Mapped[str] = mapped_column(String(500), default="")
    #: The public giving page's address, /a/<slug>; None until the organizer opens it.
    slug: Mapped[Optional[str]] = mapped_column(String(120))
    #: The least and most one gift may be, minor units of `currency` (the bounds the server keeps).
    gift_min_minor: Mapped[Optional[int]] = mapped_column(MINOR_UNITS)
    gift_max_minor: Mapped[Optional[int]] = mapped_column(MINOR_UNITS)
    #: Suggested gifts offered as buttons, minor units separated by commas ("1000,2500,5000").
    gift_suggestions: Mapped[str] = mapped_column(String(200), default="", server_default="")


class EventStatus(enum.Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    #: The statement this meeting launches, if any.
    statement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"), index=True
    )
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: Markdown, rendered and sanitised on display.
    description: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: IANA zone the times are shown in, e.g. Europe/London.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    venue: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    #: Shown only to confirmed registrants.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[EventStatus] = mapped_column(
        Enum(EventStatus, native_enum=False, length=16), default=EventStatus.draft
    )
    registration_required: Mapped[bool] = mapped_column(default=True)
    registration_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: Overall places; NULL means unlimited.
    capacity: Mapped[Optional[int]]
    #: How many hours before the start confirmed registrants are reminded (`events remind`).
    reminder_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    #: Told in the reminder: what to bring (ID for a building's security, the ticket ...).
    what_to_bring: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last change of any kind (the API's `modified_date`); the server default serves
    #: rows written by plain SQL (bulk loads).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())

    campaign: Mapped[Campaign] = relationship()
    statement: Mapped[Optional[Statement]] = relationship()
    appeal: Mapped[Optional[Appeal]] = relationship()
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="event", order_by="Speaker.position", cascade="all, delete-orphan"
    )
    ticket_types: Mapped[list["TicketType"]] = relationship(
        back_populates="event", order_by="TicketType.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status is EventStatus.draft

    @property
    def is_published(self) -> bool:
        return self.status is EventStatus.published

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled


class EventTranslation(db.Model):
    """The event's words in another language: its title, description and venue."""

    __tablename__ = "event_translations"
    __table_args__ = (UniqueConstraint("event_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: A language code from LANGUAGES ("uk").
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    #: Markdown, rendered and sanitised on display.
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")


class Speaker(db.Model):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="speakers")


class TicketType(db.Model):
    __tablename__ = "ticket_types"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("min_price_minor IS NULL OR min_price_minor >= 0", name="min_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Integer minor units of `currency`; 0 is a free ticket.
    price_minor: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    #: Set for pay-what-you-can tickets: the least a registrant may pledge.
    min_price_minor: Mapped[Optional[int]] = mapped_column(MINOR_UNITS)
    #: Places for this ticket; NULL means only the event's capacity applies.
    capacity: Mapped[Optional[int]]
    #: The payment methods offered for it (names from events.payments.METHODS), comma-separated.
    payment_methods: Mapped[str] = mapped_column(
        String(100), default="pay_later", server_default="pay_later"
    )

    event: Mapped[Event] = relationship(back_populates="ticket_types")

    @property
    def offered_methods(self) -> list[str]:
        return [name for name in self.payment_methods.split(",") if name]


class RegistrationStatus(enum.Enum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    #: A place held while the registrant pays online, until `hold_until`.
    awaiting_payment = "awaiting_payment"


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "email_index"),
        Index("ix_registrations_event_status_created", "event_id", "status", "created_at"),
        Index("ix_registrations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Encrypted at rest.
    email: Mapped[Optional[str]] = mapped_column(EncryptedText("registrations.email"))
    #: The address's blind index (`email_index`): what duplicates and look-ups compare.
    email_index: Mapped[Optional[str]] = mapped_column(String(64))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16)
    )
    #: Short code on the ticket and its QR code, typed or scanned at the door.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    #: What the registrant pledged, integer minor units of `currency`.
    amount_minor: Mapped[int] = mapped_column(MINOR_UNITS, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    #: "pay_later" now; a hosted-checkout provider adds its own name.
    payment_method: Mapped[str] = mapped_column(String(32), default="pay_later")
    paid_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    #: The code of the link that brought the registrant; "" when none.
    source: Mapped[str] = mapped_column(String(SOURCE_MAX_LENGTH), default="", server_default="")
    #: The domain of the site the registrant came from (never the full address); "" when none.
    referrer_domain: Mapped[str] = mapped_column(
        String(DOMAIN_MAX_LENGTH), default="", server_default=""
    )
    #: The language the person registered in (the page's): their emails are written in it.
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    #: Ticked "Email me updates about this campaign" when registering (the choice on the form):
    #: the event statistics' update opt-in rate counts it.
    wants_updates: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    #: The last change of any kind (the API's `modified_date`); the server default serves
    #: rows written by plain SQL (bulk loads).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=func.now())
    #: While awaiting payment: the place is held (counted against capacity) until then.
    hold_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    ticket_type: Mapped[TicketType] = relationship()

    @validates("email")
    def _index_email(self, _key, email: str | None) -> str | None:
        self.email_index = email_index(email) if email else None
        return email

    @property
    def is_confirmed(self) -> bool:
        return self.status is RegistrationStatus.confirmed

    @property
    def is_on_waiting_list(self) -> bool:
        return self.status is RegistrationStatus.waitlisted

    @property
    def is_cancelled(self) -> bool:
        return self.status is RegistrationStatus.cancelled

    @property
    def is_awaiting_payment(self) -> bool:
        return self.status is RegistrationStatus.awaiting_payment
