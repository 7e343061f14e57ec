"""Stripe's webhook, the registrant's Pay button and return page, and an appeal's public giving
page (/a/<slug>) with its return page."""
from flask import (
    Blueprint, abort, current_app, g, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _

from campaign.common.forms import show_error
from campaign.common.limits import public_form_limits
from campaign.events import service as events
from campaign.events.money import to_major_text
from campaign.extensions import csrf
from campaign.payments import appeals, service, stripe_api
from campaign.payments.forms import GiftForm

bp = Blueprint("payments", __name__)


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's signed events. Exempt from CSRF (Stripe has no token): its signature is the
    proof, and anything whose signature does not verify is refused with a 400."""
    try:
        stripe_event = stripe_api.verified_event(request.get_data(cache=False),
                                                 request.headers.get("Stripe-Signature"))
    except stripe_api.InvalidWebhook:
        return {"error": "signature"}, 400
    g.verified_webhook = True
    service.handle_webhook(stripe_event)
    return {"received": True}


def _registration_or_404(slug: str, token: str):
    registration = events.registration_from_token(token)
    if registration is None or registration.event.slug != slug:
        abort(404)
    return registration


@bp.post("/e/<slug>/r/<token>/pay")
def pay(slug: str, token: str):
    """The ticket page's Pay button: on to Stripe's page for the held place."""
    registration = _registration_or_404(slug, token)
    try:
        url = service.ticket_checkout_url(registration)
    except service.PaymentError as error:
        return _problem(error.message, registration.event.title, 409)
    return redirect(url, 303)


@bp.get("/e/<slug>/r/<token>/paid")
def ticket_paid(slug: str, token: str):
    """Where Stripe sends the registrant back. It confirms nothing: only the webhook does."""
    registration = _registration_or_404(slug, token)
    response = current_app.make_response(render_template(
        "payments/ticket_paid.html", registration=registration, event=registration.event,
        ticket_url=events.registration_links(registration)["ticket_url"]))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _problem(message: str, title: str, status: int):
    return render_template("payments/problem.html", message=message, title=title), status


def _giving_appeal_or_404(slug: str):
    appeal = appeals.appeal_by_slug(slug)
    if appeal is None:
        abort(404)
    return appeal


@bp.route("/a/<slug>", methods=["GET", "POST"])
@public_form_limits("REGISTER_RATE_LIMIT", kind="appeal")
def appeal_page(slug: str):
    appeal = _giving_appeal_or_404(slug)
    form = GiftForm().for_appeal(appeal)
    if request.method == "GET":
        return _appeal_page(appeal, form)
    if not appeals.can_give(appeal):
        return _appeal_page(appeal, form, status=409)
    if not form.validate():
        return _appeal_page(appeal, form, status=400)
    if form.is_from_a_bot:
        return redirect(url_for("payments.gift_thanks", slug=appeal.slug), 303)
    try:
        url = appeals.start_gift(appeal, name=form.name.data, email=form.email.data,
                                 amount_minor=form.amount_minor())
    except service.PaymentError as error:
        show_error(form, error)
        return _appeal_page(appeal, form, status=400 if error.field else 503)
    return redirect(url, 303)


def _appeal_page(appeal, form: GiftForm, status: int = 200):
    least, most = appeals.gift_bounds(appeal)
    return render_template(
        "payments/appeal.html", appeal=appeal, form=form, totals=appeals.appeal_totals(appeal),
        suggestions=[(amount, to_major_text(amount, appeal.currency))
                     for amount in appeals.suggested_gifts(appeal)],
        least=least, most=most,
        can_give=appeals.can_give(appeal), not_open_message=_("Giving online is not open yet."),
    ), status


@bp.get("/a/<slug>/thanks")
def gift_thanks(slug: str):
    """Where Stripe sends a giver back: the receipt follows by email once Stripe confirms."""
    appeal = _giving_appeal_or_404(slug)
    return render_template("payments/gift_thanks.html", appeal=appeal)
