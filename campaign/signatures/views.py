"""The public statement page, signing, the thank-you page, the emailed confirm/withdraw links."""
from urllib.parse import quote, urlencode

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign.common.limits import public_form_limits
from campaign.common.page_copies import shared_page
from campaign.extensions import limiter
from campaign.signatures import service
from campaign.signatures.listing import public_listing
from campaign.signatures.forms import ResendForm, SignatureForm
from campaign.signatures.page_sections import sections_for
from campaign.statements.service import public_statement
from campaign.web import error_page, page_number, public_cache

bp = Blueprint("signatures", __name__)

SIGN_LIMIT_SETTINGS = ("SIGN_RATE_LIMIT_SUSTAINED", "SIGN_RATE_LIMIT_BURST")


@bp.get("/s/<slug>")
@public_cache
@shared_page
def statement_page(slug: str):
    statement = public_statement(slug)
    return _statement_page(statement, SignatureForm())


@bp.post("/s/<slug>/sign")
@public_form_limits(*SIGN_LIMIT_SETTINGS, kind="statement",
                    submitted_form=SignatureForm.submitted)
def sign(slug: str):
    """A plain POST handler: the rate limits are laid on it from outside."""
    statement = public_statement(slug)
    form = SignatureForm.submitted()
    if service.signing_state(statement) is not service.SigningState.open:
        return _statement_page(statement, form, status=409)
    if form.errors:
        return _statement_page(statement, form, status=400)
    if not form.is_from_a_bot:
        try:
            service.sign(statement, _details(form), ip_address=request.remote_addr)
        except service.SigningClosed:
            return _statement_page(statement, form, status=409)
    return redirect(url_for(".thanks", slug=slug))  # the slug it was found by: no re-read


def _details(form: SignatureForm) -> service.SignatoryDetails:
    return service.SignatoryDetails(
        name=form.name.data,
        email=form.email.data,
        affiliation=form.affiliation.data or "",
        country=form.country.data or "",
        personal_capacity=form.personal_capacity.data,
        show_publicly=form.show_publicly.data,
        comment=form.comment.data or "",
    )


def _statement_page(statement, form: SignatureForm, status: int = 200):
    listing = public_listing(
        statement, page_number(), current_app.config["SIGNATURES_PER_PAGE"]
    )
    html = render_template(
        "signatures/statement.html",
        statement=statement,
        form=form,
        state=service.signing_state(statement),
        totals=listing.totals,
        listing=listing,
        **sections_for(statement),
    )
    return html, status


@bp.get("/s/<slug>/thanks")
def thanks(slug: str):
    statement = public_statement(slug)
    return _thanks_page(statement, ResendForm())


@bp.post("/s/<slug>/resend")
@limiter.limit(lambda: ";".join(current_app.config[setting] for setting in SIGN_LIMIT_SETTINGS))
def resend(slug: str):
    """Send the confirmation link again; the answer never says whether the address signed.

    It sends email on request, so it is slowed down with the signing limits, per client
    address. (`public_form_limits` cannot serve here: it skips forms that are not a valid
    signature form, and that is every resend form.)
    """
    statement = public_statement(slug)
    form = ResendForm()
    if not form.validate():
        return _thanks_page(statement, form, status=400)
    service.resend_confirmation(statement, form.email.data)
    return _thanks_page(statement, ResendForm(formdata=None), resent=True)


def _thanks_page(statement, resend_form: ResendForm, status: int = 200, resent: bool = False):
    page_url = url_for(".statement_page", slug=statement.slug, _external=True)
    html = render_template(
        "signatures/thanks.html",
        statement=statement,
        resend_form=resend_form,
        resent=resent,
        page_url=page_url,
        share_links=share_links(page_url, statement.title),
    )
    return html, status


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """(label, href) for each place a signatory may pass the statement on; all work without JS."""
    text = f"{title} {url}"
    return [
        (_("Email"), "mailto:?" + urlencode({"subject": title, "body": text}, quote_via=quote)),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        ("X", "https://x.com/intent/tweet?" + urlencode({"url": url, "text": title})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
    ]


@bp.route("/s/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str):
    """GET shows a button; only its POST confirms, since mail scanners open every link."""
    return _link_page(slug, token, "confirm")


@bp.route("/s/<slug>/withdraw/<token>", methods=["GET", "POST"])
def withdraw(slug: str, token: str):
    return _link_page(slug, token, "withdraw")


def _link_page(slug: str, token: str, purpose: str):
    statement = public_statement(slug)
    try:
        signature = service.signature_from_link(statement, token, purpose)
    except service.InvalidLink as error:
        return error_page(400, str(error))
    if signature is None:
        return _link_result(statement, purpose, "gone", status=410)
    if request.method == "GET":
        return _link_result(statement, purpose, "ask")
    if purpose == "withdraw":
        service.withdraw(signature)
        return _link_result(statement, purpose, "done")
    confirmed = service.confirm(signature)
    return _link_result(statement, purpose, "done" if confirmed else "not_counted")


def _link_result(statement, purpose: str, outcome: str, status: int = 200):
    html = render_template(
        f"signatures/{purpose}.html", statement=statement, outcome=outcome,
        action_url=request.path,
    )
    return html, status
