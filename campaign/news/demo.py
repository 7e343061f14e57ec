"""The demo's briefing: background reading beside the demo statement, in the shape of the
briefing in the seed documents (summary, takeaways, quotations, the source cited).

The facts of the source (its author, title, publisher, date and address) are kept; the
summary and takeaways are the project's own words, and the quotations are from the demo
statement itself.
"""
from pathlib import Path

from campaign.common.urls import absolute_url
from campaign.news.importer import parse_post_file
from campaign.news.service import create_post, post_with_slug

BRIEFING_FILE = Path(__file__).with_name("briefing.md")


def load_briefing(content) -> list[str]:
    """A `flask demo` loader: the briefing, published, linked to the statement and its launch."""
    text = parse_post_file(BRIEFING_FILE.read_text(encoding="utf-8"))
    post = post_with_slug(text.slug)
    if post is not None:
        return [f"Briefing already there: {_page(post)}"]
    post = create_post(text, publish=True, campaign=content.campaign, actor="cli")
    return [f"Briefing “{post.title}”, linked to the statement and its launch meeting.",
            f"  {_page(post)}"]


def _page(post) -> str:
    return absolute_url("news.post_page", slug=post.slug)
