"""Markdown typed by organizers, rendered and then sanitised before it reaches a page.

The parser (markdown-it, 60 modules) is made on the first text rendered, not with the app:
the command line and an export never render any.
"""
from functools import cache

import nh3
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "code", "pre", "hr",
}


@cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    html = _parser().render(text or "")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)
