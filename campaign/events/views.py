"""The public event page and registration, and the registrant's own pages reached by a signed link."""

from flask import (
    Blueprint, Response, abort, current_app, render_template, request, url_for,
)
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.limits import public_form_limits
from campaign.common.page_copies import shared_page
from campaign.common.qr import qr_png
from campaign.events import service
from campaign.events.calendar import event_calendar
from campaign.events.forms import RegistrationForm
from campaign.events.money import format_money
from campaign.events.page_sections import event_sections
from campaign.events.payments import method_for
from campaign.events.translations import event_in_language
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.statements.models import StatementStatus
from campaign.statements.translations import in_language
from campaign.web import public_cache, same_site_posts

bp = Blueprint("events", __name__)


@bp.app_template_filter("event_time")
def event_time_filter(moment, event, part: str = "datetime"):
    """A UTC time shown in the event's own time zone, with the zone's abbreviation."""
    return service.format_event_time(moment, event.timezone, part)


@bp.app_template_filter("event_when")
def event_when_filter(event):
    """When the event runs, start to end, in its own time zone."""
    return service.format_event_span(event)


@bp.app_template_filter("money")
def money_filter(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def ticket_label(ticket, full: bool = False) -> str:
    """The ticket as the registration form offers it: name, price, and whether it is full."""
    if service.is_pay_what_you_can(ticket):
        price = _("pay what you can, from %(amount)s",
                  amount=format_money(ticket.min_price_minor, ticket.currency))
    elif ticket.price_minor == 0:
        price = _("free")
    else:
        price = format_money(ticket.price_minor, ticket.currency)
    label = f"{ticket.name} – {price}"
    return _("%(ticket)s (waiting list)", ticket=label) if full else label


def _visible_event(slug: str):
    """A published or cancelled event; organizers may also preview a draft."""
    event = service.event_by_slug(slug)
    if event is None:
        abort(404)
    if event.is_draft and not (
        current_user.is_authenticated and current_user.can(Role.viewer)
    ):
        abort(404)
    return event


@bp.route("/e/<slug>", methods=["GET", "POST"])
@same_site_posts
@public_form_limits("REGISTER_RATE_LIMIT", kind="event")
@shared_page
@public_cache
def event_page(slug: str):
    event = _visible_event(slug)
    full = service.tickets_full(event)
    form = RegistrationForm().for_event(event, lambda ticket: ticket_label(ticket, ticket.id in full))
    if request.method == "GET":
        form.carry_source(request.args)
        return _event_page(event, form, full)
    if service.registration_state(event) is not service.RegistrationState.open:
        return _event_page(event, form, full, status=409)
    if not form.validate():
        return _event_page(event, form, full, status=400)
    if form.is_from_a_bot:
        return _check_email_page(event)
    try:
        service.register(
            event, name=form.name.data, email=form.email.data,
            affiliation=form.affiliation.data or "", ticket_type_id=form.ticket.data,
            amount_minor=form.amount_minor(), consent_version=current_app.config["CONSENT_VERSION"],
            payment_method=form.payment.data or None,
            wants_updates=form.email_updates.data,
            source=form.source.data or "", referrer_domain=form.referrer.data or "",
        )
    except service.RegistrationClosed:
        return _event_page(event, form, full, status=409)
    except service.EventError as error:
        show_error(form, error)
        return _event_page(event, form, full, status=400)
    return _check_email_page(event)


def _event_page(event, form: RegistrationForm, full_tickets: set[int], status: int = 200):
    state = service.registration_state(event)
    statement = event.statement
    if statement is not None and statement.status is StatementStatus.draft:
        statement = None
    language = str(get_locale())
    html = render_template(
        "events/event.html",
        event=event_in_language(event, language),
        speakers=event.speakers,
        tickets=event.ticket_types,
        appeal=event.appeal,
        statement=statement and in_language(statement, language),
        sign_url=statement and url_for("signatures.statement_page", slug=statement.slug),
        statement_count=statement and counts.totals(statement.id).counted,
        form=form,
        state=state,
        closed_message=service.registration_closed_message(state),
        figures=service.figures(event),
        full_tickets=full_tickets,
        pledges=service.appeal_pledges(event) if event.appeal else [],
        pay_what_you_can=[t for t in event.ticket_types if service.is_pay_what_you_can(t)],
        has_paid_tickets=service.has_paid_tickets(event),
        **event_sections(event),
        pays_online=service.pays_online(event),
    )
    return html, status


def _check_email_page(event):
    """The one answer to every accepted registration form: new, repeated, or a bot's.

    Saying anything else (a ticket page for a new registrant, "already registered" for a
    repeat) would let anyone test whether an address has registered. The ticket is reached
    from the link emailed to the address, which also proves the person owns it.
    """
    return render_template("events/check_email.html",
                           event=event_in_language(event, str(get_locale())),
                           has_paid_tickets=service.has_paid_tickets(event),
                           pays_online=service.pays_online(event))


def _registration_or_404(slug: str, token: str):
    registration = service.registration_from_token(token)
    if registration is None or registration.event.slug != slug:
        abort(404)
    return registration


@bp.get("/e/<slug>/r/<token>")
def ticket(slug: str, token: str):
    registration = _registration_or_404(slug, token)
    event = registration.event
    confirmed = (registration.is_confirmed
                 and not event.is_cancelled)
    settled = service.is_settled(registration)
    payment = method_for(registration)
    html = render_template(
        "events/ticket.html",
        registration=registration,
        event=event,
        confirmed=confirmed,
        place=service.waitlist_place(registration),
        settled=settled,
        payment_label=payment.label,
        payment_manual=payment.manual,
        pay_online=registration.is_awaiting_payment and not event.is_cancelled,
        ticket_type=registration.ticket_type,
        appeal=event.appeal,
        token=token,
    )
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _confirmed_or_404(slug: str, token: str):
    registration = _registration_or_404(slug, token)
    if (not registration.is_confirmed
            or registration.event.is_cancelled):
        abort(404)
    return registration


@bp.get("/e/<slug>/r/<token>/event.ics")
def calendar(slug: str, token: str):
    registration = _confirmed_or_404(slug, token)
    body = event_calendar(registration, service.registration_links(registration))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{registration.event.slug}.ics"',
        "Cache-Control": "private, no-store",
    })


@bp.get("/e/<slug>/r/<token>/qr.png")
def qr_code(slug: str, token: str):
    """The reference code as a QR image, scanned at the door."""
    registration = _confirmed_or_404(slug, token)
    return Response(qr_png(registration.reference), mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})


@bp.route("/e/<slug>/r/<token>/cancel", methods=["GET", "POST"])
def cancel(slug: str, token: str):
    """GET asks; only the POST cancels, since mail scanners open every link."""
    registration = _registration_or_404(slug, token)
    done = False
    if request.method == "POST":
        service.cancel_registration(registration)
        done = True
    return render_template("events/cancel.html", registration=registration,
                           event=event_in_language(registration.event, str(get_locale())),
                           done=done)
