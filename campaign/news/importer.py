"""Posts as text: the line lists the editor's form takes (takeaways, quotations) and the
Markdown file `news import` reads, a small header above the body:

    Title: Why a cease-fire offer is not peace
    Summary: One or two sentences.
    Source: How to Negotiate With Putin
    Publisher: Foreign Policy
    Source date: 2025-03-19
    Source link: https://foreignpolicy.com/...
    Slug: optional-web-address
    Statements: free-and-united-ukraine
    Events: free-and-united-ukraine-launch

    The body, in Markdown ...

    ## Key takeaways
    - one a line

    ## Quotations
    - “The words quoted.” — Who said them

Only Title is required. The two sections, when present, are taken out of the body into the
post's own fields. Parsing checks the shape; the rules on values live in `service.check`.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from campaign.common.errors import DomainError

#: The largest file `news import` and the dashboard's upload read.
MAX_IMPORT_BYTES = 200_000
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
#: "text — speaker": the last dash set off by spaces (an em dash, an en dash or "--").
_ATTRIBUTION = re.compile(r"^(?P<text>.+?)\s+(?:—|–|--)\s*(?P<speaker>[^—–]+?)$")
_QUOTE_MARKS = "\"“”„«»'‘’"
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]{0,30}):\s*(?P<value>.*)$")
_SECTION = re.compile(r"^##\s+(?P<heading>.+?)\s*#*\s*$")
_TAKEAWAYS_HEADINGS = {"key takeaways", "takeaways"}
_QUOTATIONS_HEADINGS = {"quotations", "important quotations", "quotes"}
_HEADER_KEYS = {
    "title": "title", "summary": "summary", "slug": "slug", "source": "source_title",
    "publisher": "source_publisher", "source date": "source_date", "source link": "source_url",
    "statements": "statements", "events": "events",
}


class PostTextError(DomainError):
    """The text of a post (a form's list or an imported file) is not in the expected shape."""


@dataclass
class PostText:
    """A post as read from text: values still to be checked by the service."""

    title: str = ""
    summary: str = ""
    slug: str = ""
    body: str = ""
    takeaways: list[str] = field(default_factory=list)
    quotations: list[dict] = field(default_factory=list)
    source_title: str = ""
    source_publisher: str = ""
    source_date: date | None = None
    source_url: str = ""
    statements: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


def _items(text: str) -> list[str]:
    """The non-empty lines of `text`, bullets or numbers at their start removed."""
    return [_BULLET.sub("", line).strip() for line in (text or "").splitlines() if line.strip()]


def parse_takeaways(text: str) -> list[str]:
    return _items(text)


def parse_quotations(text: str, field_name: str = "quotations") -> list[dict]:
    """One quotation a line: the words, then a dash and who said them."""
    quotations = []
    for number, line in enumerate(_items(text), start=1):
        found = _ATTRIBUTION.match(line)
        words = found and found.group("text").strip().strip(_QUOTE_MARKS).strip()
        if not found or not words:
            raise PostTextError(_(
                "Quotation %(number)d: end the line with a dash and who said it, like "
                "“The words.” — Name.", number=number), field=field_name)
        quotations.append({"text": words, "speaker": found.group("speaker").strip()})
    return quotations


def takeaways_as_text(takeaways: list[str]) -> str:
    return "\n".join(takeaways)


def quotations_as_text(quotations: list[dict]) -> str:
    return "\n".join(f"“{quote['text']}” — {quote['speaker']}" for quote in quotations)


def parse_source_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PostTextError(_("Give the source's date as YYYY-MM-DD, like 2025-03-19."),
                            field="source_date") from None


def decode_post_file(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise PostTextError(_("The file is too large: at most %(size)d kB.",
                              size=MAX_IMPORT_BYTES // 1000), field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PostTextError(_("The file is not UTF-8 text. Save it as UTF-8 and try again."),
                            field="file") from None


def parse_post_file(text: str) -> PostText:
    """The header, the body, and the takeaways and quotations sections taken out of it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    post = PostText()
    position = 0
    while position < len(lines) and lines[position].strip():
        found = _HEADER_LINE.match(lines[position].strip())
        key = found and _HEADER_KEYS.get(found.group("key").strip().lower())
        if not key:
            raise PostTextError(_(
                "Line %(number)d of the header is not one of Title, Summary, Source, Publisher, "
                "Source date, Source link, Slug, Statements or Events followed by a colon.",
                number=position + 1), field="file")
        _set_header(post, key, found.group("value").strip())
        position += 1
    if not post.title:
        raise PostTextError(_("The file needs a header line “Title: …” at the top."), field="file")
    post.body, takeaways, quotations = _sections(lines[position:])
    post.takeaways = parse_takeaways(takeaways)
    post.quotations = parse_quotations(quotations, field_name="file")
    return post


def _set_header(post: PostText, key: str, value: str) -> None:
    if key == "source_date":
        post.source_date = parse_source_date(value)
    elif key in ("statements", "events"):
        setattr(post, key, [slug.strip() for slug in value.split(",") if slug.strip()])
    else:
        setattr(post, key, value)


def _sections(lines: list[str]) -> tuple[str, str, str]:
    """The body without its takeaways and quotations sections, and those two sections' text."""
    body, takeaways, quotations = [], [], []
    target = body
    for line in lines:
        heading = _SECTION.match(line)
        if heading:
            name = heading.group("heading").strip().rstrip(":").lower()
            target = (takeaways if name in _TAKEAWAYS_HEADINGS
                      else quotations if name in _QUOTATIONS_HEADINGS else body)
            if target is not body:
                continue
        target.append(line)
    return "\n".join(body).strip(), "\n".join(takeaways), "\n".join(quotations)
