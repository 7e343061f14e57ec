"""The Atom feed of published posts (RFC 4287), built as XML so every value is escaped."""
import re
from datetime import datetime
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from campaign.common.markdown import render_markdown
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.news.models import Post

ATOM = "http://www.w3.org/2005/Atom"
#: What XML 1.0 cannot hold at all, even escaped (the forms refuse most of it, not U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(posts: list[Post], site_name: str) -> bytes:
    """The feed: its own address as id, newest post first, each with its summary and text."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", absolute_url("news.feed"))
    _add(feed, "title", _("%(site)s: news", site=site_name))
    newest = max((post.updated_at for post in posts), default=None) or utcnow()
    _add(feed, "updated", _stamp(newest))
    _add(feed, "link", rel="self", type="application/atom+xml", href=absolute_url("news.feed"))
    _add(feed, "link", rel="alternate", type="text/html", href=absolute_url("news.index"))
    _add(_add(feed, "author"), "name", site_name)
    for post in posts:
        url = absolute_url("news.post_page", slug=post.slug)
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", post.title)
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "published", _stamp(post.published_at or post.created_at))
        _add(entry, "updated", _stamp(post.updated_at))
        if post.summary:
            _add(entry, "summary", post.summary)
        _add(entry, "content", str(render_markdown(post.body)), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
