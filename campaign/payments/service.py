"""Paying online through Stripe Checkout: opening a checkout for a held place or a gift,
settling it when Stripe's signed webhook says so, refunds, and reconciling with Stripe.

The rules every path keeps:
- the amount is always the server's: the registration's pledged amount (computed from the
  ticket when they registered) or a gift checked against the appeal's bounds;
- a place is confirmed, and a ticket or receipt emailed, only on a verified
  `checkout.session.completed` (or the reconcile command finding the session paid at Stripe);
  returning from Stripe's page confirms nothing;
- settling is one conditional UPDATE (open or expired to paid), so a replayed or duplicated
  webhook changes nothing the second time.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.events import service as events
from campaign.events.models import Registration, RegistrationStatus
from campaign.events.money import format_money
from campaign.events.payments import PaymentMethod, RefundOutcome, register_method
from campaign.extensions import db
from campaign.mail.service import enqueue
from campaign.payments import stripe_api
from campaign.payments.models import (
    Payment, PaymentKind, PaymentState, Refund, RefundState,
)


class PaymentError(DomainError):
    """Paying cannot start (the place is no longer held, Stripe refused); the message says why."""


class StripeCheckout(PaymentMethod):
    """Card payment on Stripe's hosted Checkout page; the place is held until it is paid."""

    name = "stripe"
    label = _l("Card, online")
    manual = False

    def is_available(self) -> bool:
        return stripe_api.is_configured()

    def start(self, registration: Registration) -> str:
        return ticket_checkout_url(registration)

    def refund(self, registration: Registration) -> RefundOutcome | None:
        payment = db.session.scalars(
            select(Payment).where(Payment.registration_id == registration.id,
                                  Payment.state == PaymentState.paid)
        ).first()
        return refund_payment(payment) if payment is not None else None


register_method(StripeCheckout())


def _session_expiry(hold_until: datetime | None) -> datetime:
    """When the checkout closes: the end of the hold, but never sooner than Stripe allows."""
    soonest = utcnow() + timedelta(minutes=stripe_api.SHORTEST_SESSION_MINUTES, seconds=30)
    return max(hold_until or soonest, soonest)


def ticket_checkout_url(registration: Registration) -> str:
    """Stripe's page for paying a held place: the open session, or a new one.

    The hold is stretched to the session's end, so Stripe never takes money for a place
    already given away. Two presses at once share one session: the idempotency key counts
    the registration's checkouts, and it is unique in the table.
    """
    now = utcnow()
    if not (registration.is_awaiting_payment and registration.hold_until > now):
        raise PaymentError(_("This place is no longer held for payment."))
    open_payment = db.session.scalars(
        select(Payment).where(Payment.registration_id == registration.id,
                              Payment.state == PaymentState.open, Payment.expires_at > now)
    ).first()
    if open_payment is not None:
        return open_payment.checkout_url
    earlier = db.session.scalar(select(func.count()).select_from(Payment)
                                .where(Payment.registration_id == registration.id))
    event = registration.event
    payment = Payment(
        kind=PaymentKind.ticket, registration_id=registration.id, event_id=event.id,
        appeal_id=event.appeal_id, amount_minor=registration.amount_minor,
        currency=registration.currency, method=StripeCheckout.name,
        language=registration.language,
        idempotency_key=f"registration-{registration.id}-checkout-{earlier + 1}",
        expires_at=_session_expiry(registration.hold_until),
    )
    token = events.registration_token(registration)
    return _open_checkout(
        payment, description=f"{registration.ticket_type.name} – {event.title}",
        email=registration.email, reference=registration.reference,
        success_url=absolute_url("payments.ticket_paid", slug=event.slug, token=token),
        cancel_url=absolute_url("events.ticket", slug=event.slug, token=token),
        hold=registration,
    )


def _open_checkout(payment: Payment, *, description: str, email: str | None, reference: str,
                   success_url: str, cancel_url: str, hold: Registration | None = None) -> str:
    db.session.add(payment)
    try:
        # A plain flush, no savepoint: the row stays uncommitted (and its key taken) until the
        # session exists, so a second press waits here and then finds the first's URL.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalars(
            select(Payment).where(Payment.idempotency_key == payment.idempotency_key)).first()
        if existing is not None and existing.checkout_url:
            return existing.checkout_url
        raise PaymentError(_("Your payment is being prepared. Try again in a moment."))
    try:
        session = stripe_api.create_session(
            amount_minor=payment.amount_minor, currency=payment.currency,
            description=description, email=email, reference=reference,
            success_url=success_url, cancel_url=cancel_url, expires_at=payment.expires_at,
            idempotency_key=payment.idempotency_key,
        )
    except stripe_api.ProviderError as error:
        db.session.rollback()
        raise PaymentError(_("The payment provider could not start the payment: %(reason)s",
                             reason=error.message)) from error
    payment.provider_session_id = session.id
    payment.checkout_url = session.url
    payment.expires_at = datetime.fromtimestamp(session.expires_at, timezone.utc)
    if hold is not None:
        hold.hold_until = max(hold.hold_until, payment.expires_at)
    db.session.commit()
    return payment.checkout_url


def handle_webhook(stripe_event) -> None:
    """Act on one verified Stripe event (`stripe_api.verified_event`); anything unknown or
    repeated changes nothing."""
    session = getattr(getattr(stripe_event, "data", None), "object", None)
    payment = _payment_for_session(getattr(session, "id", None))
    if payment is None:
        return
    kind = getattr(stripe_event, "type", "")
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if getattr(session, "payment_status", None) == "paid":
            settle(payment, getattr(session, "payment_intent", None))
    elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        expire(payment)


def _payment_for_session(session_id) -> Payment | None:
    if not isinstance(session_id, str):
        return None
    return db.session.scalars(
        select(Payment).where(Payment.provider_session_id == session_id)).first()


def settle(payment: Payment, provider_payment_id: str | None) -> bool:
    """Record that Stripe has the money; then confirm the place (or give the money back when
    no place can be had) or send the gift's receipt. False when it was already recorded."""
    paid_at = utcnow()
    changed = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id,
               Payment.state.in_((PaymentState.open, PaymentState.expired)))
        .values(state=PaymentState.paid, paid_at=paid_at, provider_payment_id=provider_payment_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        return False
    db.session.refresh(payment)
    _record(payment, "payment.received")
    if payment.kind is PaymentKind.gift:
        _send_receipt(payment)
    db.session.commit()
    registration = payment.registration
    if registration is not None and not events.confirm_payment(registration, paid_at):
        outcome = refund_payment(payment)
        _notify_no_place(registration, outcome)
        db.session.commit()
    return True


def expire(payment: Payment) -> bool:
    """The session ended unpaid: the held place goes to the next person waiting."""
    changed = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.state == PaymentState.open)
        .values(state=PaymentState.expired).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if changed and payment.registration is not None:
        events.release_hold(payment.registration)
    return bool(changed)


def refund_payment(payment: Payment) -> RefundOutcome:
    """Give back what is left of a payment through Stripe; a refusal is kept as a failed refund
    that the dashboard shows with a retry. Part of the caller's transaction."""
    owed = payment.amount_minor - payment.refunded_minor
    if owed <= 0 or payment.state is not PaymentState.paid:
        return RefundOutcome(payment.refunded_minor, payment.currency, refunded=True)
    attempt = len(payment.refunds) + 1
    refund = Refund(payment=payment, amount_minor=owed)
    try:
        provider_refund = stripe_api.create_refund(
            payment_intent=payment.provider_payment_id or "", amount_minor=owed,
            idempotency_key=f"payment-{payment.id}-refund-{attempt}")
    except stripe_api.ProviderError as error:
        refund.state, refund.error = RefundState.failed, error.message
    else:
        refund.provider_refund_id = provider_refund.id
        refund.state = (RefundState.failed if provider_refund.status in ("failed", "canceled")
                        else RefundState.pending if provider_refund.status == "pending"
                        else RefundState.succeeded)
    db.session.add(refund)
    db.session.flush()
    if refund.succeeded:
        payment.state = PaymentState.refunded
    _record(payment, "payment.refunded" if refund.succeeded else "payment.refund_failed")
    return RefundOutcome(owed, payment.currency, refunded=refund.succeeded)


def retry_refund(payment: Payment) -> RefundOutcome:
    """An organizer tries a failed refund again."""
    if payment.failed_refund is None:
        raise PaymentError(_("This payment has no failed refund to try again."))
    outcome = refund_payment(payment)
    db.session.commit()
    return outcome


def _record(payment: Payment, action: str) -> None:
    amount = format_money(payment.amount_minor, payment.currency)
    if payment.registration is not None:
        record(action, f"registration:{payment.registration.reference}",
               f"event:{payment.registration.event.slug}: {amount}", actor="system")
    else:
        record(action, f"payment:{payment.id}",
               f"{amount} {payment.appeal.name if payment.appeal else ''}".strip(), actor="system")


def _send_receipt(payment: Payment) -> None:
    """The giver's receipt, in the language they gave in (the webhook's request has none)."""
    if payment.email:
        with force_locale(payment.language):
            enqueue("gift_receipt", payment.email,
                    _("Thank you for your gift to %(appeal)s", appeal=payment.appeal.name),
                    "gift_receipt", payment=payment, appeal=payment.appeal)


def _notify_no_place(registration: Registration, outcome: RefundOutcome) -> None:
    events.email_registrant(registration, "payment_refunded", _l("No place left: %(title)s"),
                            refund=outcome)


@dataclass(frozen=True)
class Difference:
    """One thing reconcile found that Stripe and the records disagree on."""

    payment_id: int | None
    found: str
    repaired: bool


def reconcile(repair: bool = True) -> list[Difference]:
    """Compare open payments and failed refunds with Stripe; with `repair`, settle payments
    Stripe has (a missed webhook), release places whose session expired, retry failed refunds,
    and release held places whose time ran out without a checkout."""
    differences = []
    open_payments = db.session.scalars(
        select(Payment).where(Payment.state == PaymentState.open,
                              Payment.provider_session_id.is_not(None)).order_by(Payment.id)
    ).all()
    for payment in open_payments:
        try:
            session = stripe_api.retrieve_session(payment.provider_session_id)
        except stripe_api.ProviderError as error:
            differences.append(Difference(payment.id, f"Stripe did not answer: {error.message}",
                                          False))
            continue
        if session.status == "complete" and session.payment_status == "paid":
            found = "paid at Stripe, recorded as open (a missed webhook)"
            differences.append(Difference(
                payment.id, found, repair and settle(payment, session.payment_intent)))
        elif session.status == "expired":
            differences.append(Difference(payment.id, "expired at Stripe, recorded as open",
                                          repair and expire(payment)))
    for payment in db.session.scalars(select(Payment).where(Payment.state == PaymentState.paid)
                                      .order_by(Payment.id)).all():
        if payment.failed_refund is not None:
            repaired = repair and retry_refund(payment).refunded
            differences.append(Difference(payment.id, "a refund failed", repaired))
    for registration in _lapsed_holds():
        differences.append(Difference(None, f"place {registration.reference} held past its time",
                                      repair))
        if repair:
            events.release_hold(registration)
    return differences


def _lapsed_holds() -> list[Registration]:
    """Held places whose time has run out and that no open checkout still covers."""
    return list(db.session.scalars(
        select(Registration).where(Registration.status == RegistrationStatus.awaiting_payment,
                                   Registration.hold_until <= utcnow())
        .order_by(Registration.id)
    ))


def payments_for(event_id: int | None = None, appeal_id: int | None = None) -> list[Payment]:
    """The payments of an event or an appeal, newest first (sessions never opened left out)."""
    query = select(Payment).where(Payment.provider_session_id.is_not(None))
    if event_id is not None:
        query = query.where(Payment.event_id == event_id)
    if appeal_id is not None:
        query = query.where(Payment.appeal_id == appeal_id)
    return list(db.session.scalars(query.order_by(Payment.created_at.desc(), Payment.id.desc())))


def payments_of(registration: Registration) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(
        Payment.registration_id == registration.id).order_by(Payment.id)))


def erase_giver(payment: Payment) -> None:
    """On an erasure request: the giver's name and address go; the amount and the provider's
    references stay, as the appeal's accounts need them. Part of the caller's transaction."""
    payment.name = events.ERASED_NAME
    payment.email = None


def payment_by_id(payment_id: int) -> Payment | None:
    return db.session.get(Payment, payment_id)
