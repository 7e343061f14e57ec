"""How a registrant pays what their ticket pledges to the appeal.

No payment provider is reachable from this deployment, so the one method today is
`PayLater`: the registrant pays at the door (or by arrangement) and an organizer marks
the registration paid. Nothing here pretends to take money online.

Adding a hosted-checkout provider (Stripe Checkout, Mollie, GoCardless ...):

1. Subclass `PaymentMethod` with a new `name` (stored in `Registration.payment_method`)
   and `manual = False`.
2. `start(registration)` creates the provider's checkout session for
   `registration.amount_minor` / `registration.currency` (or reuses the one it already
   opened), keeps the provider's id with the registration, and returns the provider's URL.
   The ticket page links there; the registrant reaches that page only through the link
   emailed to them. Checkout never starts from the registration form's answer: that
   answer is the same "check your email" page for a new registration and a repeated one,
   so that nobody can test whether an address is registered, and sending only new
   registrants on to a checkout would tell them apart.
3. A webhook view verifies the provider's signature and calls `settle(registration)` in
   the same transaction as the audit entry; the browser's return redirect alone is never
   proof of payment.
4. Add the instance to `METHODS` and choose it in `events.registration.register`.
"""
from abc import ABC, abstractmethod
from datetime import datetime

from flask_babel import lazy_gettext as _l

from campaign.common.time import utcnow
from campaign.events.models import Registration


class PaymentMethod(ABC):
    #: Stored in Registration.payment_method.
    name: str
    #: Shown to the registrant and on the organizer's table.
    label: str
    #: True when an organizer records the payment by hand.
    manual: bool

    @abstractmethod
    def start(self, registration: Registration) -> str | None:
        """Where to pay online for a confirmed, unpaid place (never for the waiting list), or
        None when nothing is paid online. Asked each time the ticket page is shown."""

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


def method_for(registration: Registration) -> PaymentMethod:
    return METHODS[registration.payment_method]
