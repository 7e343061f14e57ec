"""Gifts to an appeal without a ticket: the public giving page's settings (address, bounds,
suggested amounts), starting a gift's checkout, and the appeal's totals, where money received
(online, and at the door) is kept apart from what is only pledged."""
import re
import uuid
from dataclasses import dataclass, field

from flask_babel import get_locale, gettext as _
from sqlalchemy import func, select

from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.urls import absolute_url
from campaign.events import service as events
from campaign.events.models import Appeal, Event, Registration, RegistrationStatus
from campaign.events.money import format_money, minor_units
from campaign.events.payments import DEFAULT_METHOD
from campaign.extensions import db
from campaign.payments.models import Payment, PaymentKind, PaymentState
from campaign.payments.service import PaymentError, StripeCheckout, _open_checkout, _session_expiry

MOST_SUGGESTIONS = 6
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class GivingDetails:
    slug: str
    gift_min_minor: int | None = None
    gift_max_minor: int | None = None
    suggestions: list[int] = field(default_factory=list)


def save_giving(appeal: Appeal, details: GivingDetails) -> Appeal:
    """Open (or change) the appeal's giving page at /a/<slug>."""
    if not _SLUG.match(details.slug or ""):
        raise DomainError(_("Use lower-case letters, digits and single dashes."), field="slug")
    taken = db.session.scalar(select(func.count()).select_from(Appeal).where(
        Appeal.slug == details.slug, Appeal.id != appeal.id))
    if taken:
        raise DomainError(_("Another appeal has this address already."), field="slug")
    least, most = details.gift_min_minor, details.gift_max_minor
    if least is not None and most is not None and least > most:
        raise DomainError(_("The smallest gift cannot be more than the largest."), field="gift_max")
    least_allowed, most_allowed = _bounds(appeal.currency, least, most)
    if any(not least_allowed <= amount <= most_allowed for amount in details.suggestions):
        raise DomainError(_("Each suggested gift must be between %(least)s and %(most)s.",
                            least=format_money(least_allowed, appeal.currency),
                            most=format_money(most_allowed, appeal.currency)),
                          field="suggestions")
    appeal.slug = details.slug
    appeal.gift_min_minor, appeal.gift_max_minor = least, most
    appeal.gift_suggestions = ",".join(str(amount) for amount in details.suggestions)
    record("appeal.giving_save", f"appeal:{appeal.id}", f"{appeal.name}, /a/{appeal.slug}")
    db.session.commit()
    return appeal


def appeal_by_id(appeal_id: int) -> Appeal | None:
    return db.session.get(Appeal, appeal_id)


def appeal_by_slug(slug: str) -> Appeal | None:
    return db.session.scalars(select(Appeal).where(Appeal.slug == slug)).first()


def all_appeals() -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).order_by(Appeal.name, Appeal.id)))


def suggested_gifts(appeal: Appeal) -> list[int]:
    return [int(amount) for amount in appeal.gift_suggestions.split(",") if amount.isdigit()]


def gift_bounds(appeal: Appeal) -> tuple[int, int]:
    """The least and most one gift may be: the organizer's bounds, else one unit of the currency
    and the largest ticket price."""
    return _bounds(appeal.currency, appeal.gift_min_minor, appeal.gift_max_minor)


def _bounds(currency: str, least: int | None, most: int | None) -> tuple[int, int]:
    return (least or minor_units(1, currency), most or events.largest_ticket_price(currency))


def can_give(appeal: Appeal) -> bool:
    """Whether the appeal's giving page takes gifts: it has an address, and Stripe is set up."""
    return appeal.slug is not None and StripeCheckout().is_available()


def start_gift(appeal: Appeal, *, name: str, email: str, amount_minor: int | None) -> str:
    """Open Stripe's page for a gift; the amount is checked here against the appeal's bounds."""
    if not can_give(appeal):
        raise PaymentError(_("Giving online is not open yet."))
    least, most = gift_bounds(appeal)
    if amount_minor is None or not least <= amount_minor <= most:
        raise PaymentError(_("Give between %(least)s and %(most)s.",
                             least=format_money(least, appeal.currency),
                             most=format_money(most, appeal.currency)), field="amount")
    payment = Payment(
        kind=PaymentKind.gift, appeal_id=appeal.id, name=name, email=email,
        amount_minor=amount_minor, currency=appeal.currency, method=StripeCheckout.name,
        language=str(get_locale()), idempotency_key=f"gift-{uuid.uuid4().hex}",
        expires_at=_session_expiry(None),
    )
    return _open_checkout(
        payment, description=_("Gift to %(appeal)s", appeal=appeal.name), email=email,
        reference=f"gift-{appeal.id}", success_url=absolute_url("payments.gift_thanks",
                                                                  slug=appeal.slug),
        cancel_url=absolute_url("payments.appeal_page", slug=appeal.slug),
    )


@dataclass(frozen=True)
class AppealTotals:
    currency: str
    online_minor: int = 0
    at_door_minor: int = 0
    pledged_minor: int = 0

    @property
    def received_minor(self) -> int:
        return self.online_minor + self.at_door_minor


def appeal_totals(appeal: Appeal) -> list[AppealTotals]:
    """Per currency: received online (gifts and tickets, less refunds), received at the door
    (marked paid by an organizer), and pledged at the door but not paid yet."""
    online = dict(db.session.execute(
        select(Payment.currency, func.sum(Payment.amount_minor))
        .where(Payment.appeal_id == appeal.id, Payment.state == PaymentState.paid)
        .group_by(Payment.currency)).all())
    at_the_door = select(Registration.currency, func.sum(Registration.amount_minor)).join(
        Event, Event.id == Registration.event_id).where(
        Event.appeal_id == appeal.id, Registration.payment_method == DEFAULT_METHOD,
        Registration.status.in_((RegistrationStatus.confirmed, RegistrationStatus.waitlisted)),
        Registration.amount_minor > 0).group_by(Registration.currency)
    at_door = dict(db.session.execute(at_the_door.where(Registration.paid_at.is_not(None))).all())
    pledged = dict(db.session.execute(at_the_door.where(Registration.paid_at.is_(None))).all())
    currencies = sorted(set(online) | set(at_door) | set(pledged) | {appeal.currency})
    return [AppealTotals(currency, int(online.get(currency) or 0), int(at_door.get(currency) or 0),
                         int(pledged.get(currency) or 0)) for currency in currencies]


