"""Link-preview pictures and the embedded signing form: the one page other sites may frame."""
from flask import (
    Blueprint, abort, jsonify, make_response, redirect, render_template, request, url_for,
)
from flask_babel import get_locale, gettext as _

from campaign.common.limits import public_form_limits

from campaign.events.service import published_event
from campaign.events.translations import event_in_language
from campaign.news.service import post_by_slug
from campaign.sharing import service
from campaign.signatures import counts
from campaign.signatures.forms import SignatureForm
from campaign.signatures.service import signing_state
from campaign.signatures.views import asks_to_confirm, take_signature
from campaign.statements.service import public_statement
from campaign.statements.translations import in_language
from campaign.web import (
    CONTENT_SECURITY_POLICY, public_cache, same_site_posts, seconds_until_retry, wait_in_words,
)

bp = Blueprint("sharing", __name__)

#: The site's policy, except that any site may show the page in a frame.
EMBEDDABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
#: Seconds a preview picture may be kept by browsers and proxies.
CARD_MAX_AGE = 600

bp.add_app_template_global(service.embed_code)


@bp.get("/s/<slug>/card.png")
def statement_card(slug):
    statement = in_language(public_statement(slug), str(get_locale()))
    return _card_response(service.statement_card(statement))


@bp.get("/e/<slug>/card.png")
def event_card(slug):
    event = published_event(slug)
    if event is None:
        abort(404)
    return _card_response(service.event_card(event_in_language(event, str(get_locale()))))


@bp.get("/news/<slug>/card.png")
def post_card(slug):
    post = post_by_slug(slug)
    if not post.is_published:
        abort(404)
    return _card_response(service.post_card(post))


@bp.get("/s/<slug>/count.json")
@public_cache
def statement_count(slug):
    """The count the statement page and the widget refresh while they are open."""
    count = counts.totals(public_statement(slug).id).counted
    return jsonify(count=count, label=service.count_label(count))


@bp.get("/s/<slug>/embed")
@public_cache
def statement_embed(slug):
    """The signing form itself, compact, for a partner's page to show in a frame."""
    return _embedded_form(public_statement(slug), SignatureForm())


def _embed_flooded():
    wait = seconds_until_retry()
    response = _embedded_form(
        public_statement(request.view_args["slug"]), SignatureForm.submitted(), status=429,
        retry=_("Please try again %(when)s.", when=wait_in_words(wait)))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.post("/s/<slug>/embed")
@same_site_posts
@public_form_limits("SIGN_FLOOD_LIMIT", kind="statement",
                    submitted_form=SignatureForm.submitted, refused_page=_embed_flooded)
def sign_embedded(slug):
    """Signing inside the frame: no cookie is needed (the form's signed token and the Origin
    check protect it), and the person stays in the frame to read the thank-you."""
    form = SignatureForm.submitted()
    outcome = take_signature(slug, form)
    if outcome.status:
        return _embedded_form(public_statement(slug), form, status=outcome.status)
    return redirect(url_for(".embed_thanks", slug=slug, **outcome.thanks_args), 303)


@bp.get("/s/<slug>/embed/thanks")
def embed_thanks(slug):
    statement = public_statement(slug)
    return _framable(render_template("sharing/embed_thanks.html", statement=statement,
                                     asks_to_confirm=asks_to_confirm(statement)))


def _embedded_form(statement, form: SignatureForm, status: int = 200, retry: str = ""):
    return _framable(render_template(
        "sharing/embed.html",
        statement=in_language(statement, str(get_locale())),
        campaign=statement.campaign,
        count=counts.totals(statement.id).counted,
        state=signing_state(statement),
        form=form,
        retry=retry,
    ), status)


def _framable(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = EMBEDDABLE_POLICY
    return response


def _card_response(card: service.Card):
    response = make_response(card.png)
    response.mimetype = "image/png"
    response.set_etag(card.etag)
    response.cache_control.public = True
    response.cache_control.max_age = CARD_MAX_AGE
    return response.make_conditional(request)
