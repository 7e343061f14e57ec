"""Pictures for link previews (Open Graph / Twitter cards), drawn by the project itself.

A card is a 1200x630 PNG of a title, a line or two beneath it and the campaign's name.
Cards are kept on disk under SHARE_CARD_DIR, named by what they show: the same words give
the same file, so a card is drawn again only when its words change. A statement's count
is shown in steps (exact up to 100, then to two significant figures), so a busy statement
is not redrawn for every signature. Older cards of the same statement or event are
removed when a new one is written, so the folder holds at most one per page.

Pillow is imported when a card is first drawn, not with the app: a worker that only serves
pages whose cards are on disk, the command line and the mail sender never draw one.
"""
import hashlib
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape

from campaign.common.dates import format_date
from campaign.common.languages import InLanguage
from campaign.common.urls import absolute_url
from campaign.events.models import Event
from campaign.events.service import format_event_time
from campaign.news.models import Post
from campaign.signatures import counts
from campaign.statements.models import Statement, StatementStatus
from campaign.statements.translations import StatementInLanguage

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
#: Bump when the drawing changes, so cards already on disk are drawn anew.
DRAWING_VERSION = "1"
_FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_COLOURS = {
    "page": "#ffffff", "band": "#1d1d1f", "band_text": "#ffffff", "title": "#1d1d1f",
    "accent": "#1d4ed8",
}


def embed_code(statement: Statement) -> str:
    """The HTML a partner site pastes to show the signing form: the frame, and the small
    script from this site that fits the frame to the form's height."""
    source = absolute_url("sharing.statement_embed", slug=statement.slug)
    script = absolute_url("static", filename="js/embed-resize.js")
    return (
        f'<iframe src="{escape(source)}" title="{escape(statement.title)}" width="100%" '
        'height="640" style="border:0;max-width:32rem" loading="lazy" data-campaign-embed>'
        f'</iframe>\n<script src="{escape(script)}" async></script>'
    )


@dataclass(frozen=True)
class Card:
    png: bytes
    etag: str


def count_shown(count: int) -> tuple[int, bool]:
    """The count a card shows, and whether it is rounded down (shown as "N+")."""
    if count < 100:
        return count, False
    step = 10 ** (len(str(count)) - 2)
    shown = count - count % step
    return shown, shown != count


def count_label(count: int, number: str | None = None) -> str:
    """"1,234 signatures", as the statement page words it; `number` replaces the digits."""
    return ngettext("%(number)s signature", "%(number)s signatures", count,
                    number=number or format_decimal(count))


def statement_card(statement: StatementInLanguage) -> Card:
    """The statement's card in the language it is shown in (DejaVu Sans covers Cyrillic)."""
    shown, rounded = count_shown(counts.totals(statement.id).counted)
    if shown == 0:
        detail = _("Be the first to sign")
    else:
        detail = count_label(shown, format_decimal(shown) + ("+" if rounded else ""))
    if statement.status is StatementStatus.closed:
        detail = _("Closed · %(detail)s", detail=detail)
    return _card(f"statement-{statement.id}-{get_locale()}", statement.title, [detail],
                 statement.campaign.name)


def event_card(event: Event | InLanguage) -> Card:
    when = format_event_time(event.starts_at, event.timezone)
    details = [part for part in (when, event.venue) if part]
    return _card(f"event-{event.id}-{get_locale()}", event.title, details, event.campaign.name)


def post_card(post: Post) -> Card:
    """The post's title, and when it was published (and what it cites, for a briefing)."""
    details = [format_date(post.published_at or post.created_at), post.source_publisher]
    return _card(f"post-{post.id}", post.title, [part for part in details if part],
                 post.campaign.name)


def _card(owner: str, title: str, details: list[str], campaign_name: str) -> Card:
    key = hashlib.sha256(
        "\x1f".join((DRAWING_VERSION, title, campaign_name, *details)).encode()
    ).hexdigest()[:20]
    folder = Path(current_app.config["SHARE_CARD_DIR"])
    path = folder / f"{owner}-{key}.png"
    try:
        png = path.read_bytes()
    except FileNotFoundError:
        png = draw_card(title, details, campaign_name)
        _store(folder, owner, path, png)
    return Card(png=png, etag=key)


def _store(folder: Path, owner: str, path: Path, png: bytes) -> None:
    """Write atomically (several workers may draw the same card), then drop the owner's older cards."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{uuid.uuid4().hex}.tmp"
    temporary.write_bytes(png)
    os.replace(temporary, path)
    for older in folder.glob(f"{owner}-*.png"):
        if older != path:
            older.unlink(missing_ok=True)


def draw_card(title: str, details: list[str], campaign_name: str) -> bytes:
    """The title large, the campaign's name in a band above, one to three lines of detail below."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), _COLOURS["page"])
    draw = ImageDraw.Draw(image)
    band_height = 110
    draw.rectangle((0, 0, WIDTH, band_height), fill=_COLOURS["band"])
    name_font = _font(38)
    name = _fit_line(draw, campaign_name, name_font, WIDTH - 2 * MARGIN)
    draw.text((MARGIN, band_height // 2), name, font=name_font, fill=_COLOURS["band_text"],
              anchor="lm")

    detail_font, detail_height = _font(42), 56
    details = details[:3]
    baseline = HEIGHT - MARGIN
    first_baseline = baseline - (len(details) - 1) * detail_height
    draw.rectangle((MARGIN, first_baseline - 48, MARGIN + 10, baseline + 8), fill=_COLOURS["accent"])
    for number, detail in enumerate(details):
        line = _fit_line(draw, detail, detail_font, WIDTH - 2 * MARGIN - 28)
        draw.text((MARGIN + 28, first_baseline + number * detail_height), line, font=detail_font,
                  fill=_COLOURS["accent"], anchor="ls")

    top, bottom = band_height + 56, first_baseline - 100
    size, lines = _title_layout(draw, title, WIDTH - 2 * MARGIN, bottom - top)
    title_font = _font(size)
    line_height = int(size * 1.2)
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, font=title_font,
                  fill=_COLOURS["title"], anchor="la")

    output = BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _title_layout(draw, title: str, width: int, height: int) -> tuple[int, list[str]]:
    """The largest size (72 down to 36) at which the title fits; at the smallest, cut with an ellipsis."""
    for size in range(72, 35, -4):
        lines = _wrap(draw, title, _font(size), width)
        if len(lines) * int(size * 1.2) <= height:
            return size, lines
    size = 36
    font = _font(size)
    most = max(1, height // int(size * 1.2))
    lines = _wrap(draw, title, font, width)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = _fit_line(draw, lines[-1] + " …", font, width)
    return size, lines


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fit_line(draw, word, font, width))
    return lines or [""]


def _fit_line(draw, text: str, font, width: int) -> str:
    """The text, cut with an ellipsis if it is wider than `width`."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@lru_cache(maxsize=16)
def _font(size: int):
    """DejaVu Sans Bold from Debian's fonts-dejavu-core; Pillow's own font if it is missing."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(_FONT_FILE), size)
    except OSError:
        return ImageFont.load_default(size)
