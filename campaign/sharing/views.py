"""Link-preview pictures and the embeddable widget: the one page other sites may frame."""
from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask_babel import get_locale

from campaign.events.service import published_event
from campaign.events.translations import event_in_language
from campaign.sharing import service
from campaign.signatures import counts
from campaign.signatures.service import signing_state
from campaign.statements.service import public_statement
from campaign.statements.translations import in_language
from campaign.web import CONTENT_SECURITY_POLICY, public_cache

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


@bp.get("/s/<slug>/count.json")
@public_cache
def statement_count(slug):
    """The count the statement page and the widget refresh while they are open."""
    count = counts.totals(public_statement(slug).id).counted
    return jsonify(count=count, label=service.count_label(count))


@bp.get("/s/<slug>/embed")
@public_cache
def statement_embed(slug):
    statement = public_statement(slug)
    response = make_response(render_template(
        "sharing/embed.html",
        statement=in_language(statement, str(get_locale())),
        campaign=statement.campaign,
        count=counts.totals(statement.id).counted,
        state=signing_state(statement),
    ))
    response.headers["Content-Security-Policy"] = EMBEDDABLE_POLICY
    return response


def _card_response(card: service.Card):
    response = make_response(card.png)
    response.mimetype = "image/png"
    response.set_etag(card.etag)
    response.cache_control.public = True
    response.cache_control.max_age = CARD_MAX_AGE
    return response.make_conditional(request)
