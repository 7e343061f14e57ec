"""The public news pages: `/news` (paged), `/news/<slug>`, and the Atom feed."""
from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user

from campaign.news import service
from campaign.news.feed import atom_feed
from campaign.organizers.models import Role
from campaign.web import page_number, public_cache

bp = Blueprint("news", __name__)

POSTS_PER_PAGE = 10


@bp.get("/news")
@public_cache
def index():
    page = service.public_posts_page(page_number(), POSTS_PER_PAGE)
    return render_template("news/index.html", page=page)


@bp.get("/news/feed.atom")
@public_cache
def feed():
    context: dict = {}
    current_app.update_template_context(context)
    return Response(atom_feed(service.feed_posts(), context["campaign_name"]),
                    mimetype="application/atom+xml")


@bp.get("/news/<slug>")
@public_cache
def post_page(slug: str):
    """A published post; organizers may also preview a draft."""
    post = service.post_by_slug(slug)
    if post.is_draft and not (current_user.is_authenticated and current_user.can(Role.viewer)):
        abort(404)
    return render_template(
        "news/post.html", post=post, statements=service.public_statements_of(post),
        events=service.public_events_of(post), citation=service.citation(post),
    )
