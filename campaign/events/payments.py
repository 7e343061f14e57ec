"""How a registrant pays what their ticket pledges to the appeal.

Two kinds of method:

- `PayLater` (here): the registrant pays at the door or by arrangement and an organizer marks
  the registration paid. The place is confirmed at once.
- A hosted checkout (Stripe Checkout, in `campaign.payments`, a floor above): the place is
  held as awaiting payment for PAYMENT_HOLD_MINUTES and confirmed only when the provider's
  signed webhook says it is paid. That package adds its method with `register_method` when
  the app starts, so events never imports it.

Checkout never starts from the registration form's answer: that answer is the same "check
your email" page for a new registration and a repeated one, so that nobody can test whether
an address is registered. The ticket page (reached through the emailed link) has the Pay
button.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from campaign.common.time import utcnow
from campaign.events.models import Registration


@dataclass(frozen=True)
class RefundOutcome:
    """What cancelling did with the money, for the cancellation email."""

    amount_minor: int
    currency: str
    #: False when the provider refused or could not be reached: an organizer retries it.
    refunded: bool


class PaymentMethod(ABC):
    #: Stored in Registration.payment_method.
    name: str
    #: Shown to the registrant and on the organizer's table.
    label: str
    #: True when an organizer records the payment by hand.
    manual: bool

    def is_available(self) -> bool:
        """Whether this deployment can offer the method (its provider's keys are set)."""
        return True

    def holds_place(self, registration: Registration) -> bool:
        """Whether a new place waits for payment (awaiting payment) rather than being confirmed."""
        return not self.manual and registration.amount_minor > 0

    @abstractmethod
    def start(self, registration: Registration) -> str | None:
        """The provider's page where the registrant pays for a held place, or None when nothing
        is paid online. Called when the registrant presses Pay, never for the waiting list."""

    def refund(self, registration: Registration) -> RefundOutcome | None:
        """Give back what was paid online when a paid place is cancelled; None when nothing was.
        Part of the caller's transaction."""
        return None

    def is_settled(self, registration: Registration) -> bool:
        return registration.amount_minor == 0 or registration.paid_at is not None

    def settle(self, registration: Registration, when: datetime | None = None) -> None:
        registration.paid_at = when or utcnow()

    def unsettle(self, registration: Registration) -> None:
        registration.paid_at = None


class PayLater(PaymentMethod):
    """Pay at the door or by arrangement; an organizer marks the registration paid."""

    name = "pay_later"
    label = _l("Pay at the door")
    manual = True

    def start(self, registration: Registration) -> None:
        return None


METHODS: dict[str, PaymentMethod] = {method.name: method for method in (PayLater(),)}
DEFAULT_METHOD = PayLater.name


def register_method(method: PaymentMethod) -> None:
    """Offer another method (a higher floor's provider), by its name."""
    METHODS[method.name] = method


def method_for(registration: Registration) -> PaymentMethod:
    return METHODS[registration.payment_method]


def available_methods() -> list[PaymentMethod]:
    return [method for method in METHODS.values() if method.is_available()]
