"""The home page, and the site's identity every page wears: its name, tagline and logo in
the header (a context processor) and its accent colour (`/theme.css`)."""
from flask import (
    Blueprint, abort, current_app, has_request_context, make_response, render_template, request,
)
from flask_babel import get_locale

from campaign.common.page_copies import shared_page
from campaign.common.site_name import campaign_name
from campaign.events.service import upcoming_events
from campaign.extensions import db
from campaign.home import service
from campaign.signatures import counts
from campaign.statements.translations import all_in_language, in_language
from campaign.web import page_number, public_cache

bp = Blueprint("home", __name__)

STATEMENTS_PER_PAGE = 20
#: A logo's address changes with its content, and the theme's with the settings' version.
LONG_CACHE = "public, max-age=31536000, immutable"


@bp.app_context_processor
def site_identity() -> dict:
    """`site` (the settings) and `campaign_name` for every page's template.

    Nothing outside a request: what renders there is an email in the mail sender, whose
    stored context has its own `campaign_name`, and reading the settings for each of them
    was two reads of the database a message.
    """
    if not has_request_context():
        return {}
    settings = service.settings_for_pages()
    return {"site": settings, "campaign_name": campaign_name(settings.name)}


@bp.get("/")
@shared_page
@public_cache
def index():
    """The featured statement (on the first page), upcoming events, the other statements."""
    featured = service.featured_statement(service.site_settings())
    page = db.paginate(service.other_statements(featured), page=page_number(),
                       per_page=STATEMENTS_PER_PAGE, error_out=False)
    language = str(get_locale())
    page.items = all_in_language(page.items, language)
    return render_template(
        "home/index.html",
        featured=(service.featuring(in_language(featured, language))
                  if featured and page.page == 1 else None),
        page=page,
        totals=counts.totals_for([statement.id for statement in page.items]),
        upcoming_events=upcoming_events(),
    )


@bp.get("/theme.css")
def theme():
    """The accent colour as a stylesheet (the policy allows no inline style). Pages link it
    with `?v=<version>`: that address may be kept for good; any other for a few seconds."""
    settings = service.site_settings()
    response = make_response(service.theme_stylesheet(settings))
    response.mimetype = "text/css"
    response.set_etag(f"theme-{settings.version}")
    if request.args.get("v") == str(settings.version):
        response.headers["Cache-Control"] = LONG_CACHE
    else:
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["PUBLIC_MAX_AGE_SECONDS"]
    return response.make_conditional(request)


@bp.get("/logo/<digest>.png")
def logo(digest: str):
    """The logo, re-encoded when it was uploaded; its address names its content."""
    png = service.logo_png(digest)
    if png is None:
        abort(404)
    response = make_response(png)
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = LONG_CACHE
    return response
