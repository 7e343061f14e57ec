"""The public statement page, signing, the thank-you page, the emailed confirm/withdraw links."""
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from flask import (
    Blueprint, current_app, make_response, redirect, render_template, request, url_for,
)
from flask_babel import get_locale, gettext as _

from campaign.common.limits import public_form_limits
from campaign.common.urls import absolute_url
from campaign.common.page_copies import shared_page
from campaign.extensions import limiter
from campaign.signatures import links, service
from campaign.signatures.listing import latest_signatories, public_listing
from campaign.signatures.forms import ResendForm, SignatureForm
from campaign.signatures.page_sections import sections_for
from campaign.signatures.progress import progress_of
from campaign.statements.service import public_statement, signing_terms
from campaign.statements.translations import in_language
from campaign.web import (
    error_page, page_number, public_cache, same_site_posts, seconds_until_retry, wait_in_words,
)

bp = Blueprint("signatures", __name__)

#: How many of the newest signatories the signing form lists beside it.
LATEST_SHOWN = 5
#: What the thank-you page's address carries for a held signature: the page then asks the
#: person to confirm by email, as it asks everyone on a statement that needs confirmation.
_HELD = {"confirm": "email"}


@bp.get("/s/<slug>")
@shared_page
@public_cache
def statement_page(slug: str):
    statement = public_statement(slug)
    form = SignatureForm()
    form.carry_source(request.args)
    return _statement_page(statement, form)


def _flooded_page():
    """A flood far above what people do is refused, but a person caught in it keeps the form
    as they filled it in, and is told when pressing Sign again will work."""
    wait = seconds_until_retry()
    form = SignatureForm.submitted()
    html, status = _statement_page(public_statement(request.view_args["slug"]), form, status=429,
                                   retry=_("Please try again %(when)s.", when=wait_in_words(wait)))
    return make_response(html, status, {"Retry-After": str(wait)})


@bp.post("/s/<slug>/sign")
@same_site_posts
@public_form_limits("SIGN_FLOOD_LIMIT", kind="statement",
                    submitted_form=SignatureForm.submitted, refused_page=_flooded_page)
def sign(slug: str):
    """A plain POST handler: the flood limit is laid on it from outside."""
    form = SignatureForm.submitted()
    outcome = take_signature(slug, form)
    if outcome.status:
        return _statement_page(public_statement(slug), form, status=outcome.status)
    # The slug it was found by: no re-read. A held signatory is asked to confirm by email.
    return redirect(url_for(".thanks", slug=slug, **outcome.thanks_args))


@dataclass(frozen=True)
class Outcome:
    """What became of a submitted signing form."""

    #: The form's status code when it must be shown again (400 mistakes, 409 closed), else 0.
    status: int = 0
    #: What the thank-you page's address carries.
    thanks_args: dict = field(default_factory=dict)


def take_signature(slug: str, form: SignatureForm) -> Outcome:
    """Sign from a submitted form (the statement page's or the embedded one).

    An accepted signature needs only the statement's terms, kept per worker and read again
    when they may be out of date: when they say signing is not open (it may have reopened
    since) and when the statement changed as the signature was being stored. The view reads
    the whole statement only to show the form again.
    """
    terms = signing_terms(slug)
    if service.signing_state(terms) is not service.SigningState.open:
        terms = signing_terms(slug, recheck=True)
        if service.signing_state(terms) is not service.SigningState.open:
            return Outcome(status=409)
    if form.errors:
        return Outcome(status=400)
    held = False
    if not form.is_from_a_bot:
        try:
            held = _signed(slug, terms, _details(form))
        except service.SigningClosed:
            return Outcome(status=409)
    return Outcome(thanks_args=_HELD if held else {})


def _signed(slug: str, terms, details: service.SignatoryDetails) -> bool:
    """Signed on `terms`, or, if the statement changed as the signature was being stored, on
    its terms as they are now (whether it was held)."""
    try:
        return service.sign(terms, details, ip_address=request.remote_addr)
    except service.StatementChanged:
        return service.sign(signing_terms(slug, recheck=True), details,
                            ip_address=request.remote_addr)


def asks_to_confirm(statement) -> bool:
    """Whether the thank-you page asks the person to confirm by email."""
    return statement.requires_confirmation or request.args.get("confirm") == _HELD["confirm"]


def _details(form: SignatureForm) -> service.SignatoryDetails:
    return service.SignatoryDetails(
        name=form.name.data,
        email=form.email.data,
        affiliation=form.affiliation.data or "",
        country=form.country.data or "",
        personal_capacity=form.personal_capacity.data,
        show_publicly=form.show_publicly.data,
        comment=form.comment.data or "",
        wants_updates=form.email_updates.data,
        source=form.source.data or "",
        referrer_domain=form.referrer.data or "",
    )


def _statement_page(statement, form: SignatureForm, status: int = 200, retry: str = ""):
    listing = public_listing(
        statement, page_number(), current_app.config["SIGNATURES_PER_PAGE"]
    )
    html = render_template(
        "signatures/statement.html",
        statement=in_language(statement, str(get_locale())),
        form=form,
        retry=retry,
        state=service.signing_state(statement),
        totals=listing.totals,
        progress=progress_of(statement, listing.totals),
        listing=listing,
        latest=latest_signatories(statement, LATEST_SHOWN),
        **sections_for(statement),
    )
    return html, status


@bp.get("/s/<slug>/thanks")
def thanks(slug: str):
    statement = public_statement(slug)
    return _thanks_page(statement, ResendForm())


@bp.post("/s/<slug>/resend")
@same_site_posts
@limiter.limit(lambda: current_app.config["SIGN_HOLD_AFTER"])
def resend(slug: str):
    """Send the confirmation link again; the answer never says whether the address signed.

    It sends email on request, so it is slowed down to the pace of one person signing
    (SIGN_HOLD_AFTER), per client address.
    """
    statement = public_statement(slug)
    form = ResendForm()
    if not form.validate():
        return _thanks_page(statement, form, status=400)
    service.resend_confirmation(statement, form.email.data)
    return _thanks_page(statement, ResendForm(formdata=None), resent=True)


def _thanks_page(statement, resend_form: ResendForm, status: int = 200, resent: bool = False):
    page_url = absolute_url("signatures.statement_page", slug=statement.slug)
    held_args = _HELD if request.args.get("confirm") == _HELD["confirm"] else {}
    shown = in_language(statement, str(get_locale()))
    html = render_template(
        "signatures/thanks.html",
        statement=shown,
        asks_to_confirm=asks_to_confirm(statement),
        held_args=held_args,
        resend_form=resend_form,
        resent=resent,
        page_url=page_url,
        share_links=share_links(page_url, shown.title),
    )
    return html, status


@dataclass(frozen=True)
class ShareLink:
    label: str
    href: str
    #: Its picture in static/icons/.
    icon: str
    #: Opens another site in a new tab (an email opens the person's mail program instead).
    new_tab: bool = True


def share_links(url: str, title: str) -> list[ShareLink]:
    """Each place a signatory may pass the statement on: plain links, no other site's script."""
    text = f"{title} {url}"
    return [
        ShareLink("WhatsApp", "https://wa.me/?" + urlencode({"text": text}), "whatsapp.svg"),
        ShareLink("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
                  "telegram.svg"),
        ShareLink("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
                  "facebook.svg"),
        ShareLink("X", "https://x.com/intent/tweet?" + urlencode({"url": url, "text": title}),
                  "x.svg"),
        ShareLink("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text}),
                  "bluesky.svg"),
        ShareLink(_("Email"), "mailto:?" + urlencode({"subject": title, "body": text},
                                                      quote_via=quote),
                  "email.svg", new_tab=False),
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
        signature = links.signature_from_link(statement, token, purpose)
    except links.InvalidLink as error:
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
        f"signatures/{purpose}.html", statement=in_language(statement, str(get_locale())),
        outcome=outcome,
        action_url=request.path,
    )
    return html, status
