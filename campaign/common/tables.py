"""`|table_cells`: the rows of a dashboard table made ready to read as cards on a phone.

On a narrow screen the stylesheet shows each row as a card and each cell as "Label: value",
the label coming from the cell's `data-label`. This filter gives each body cell the text of its
column's header (as translated in the header itself, so nothing is written twice), leaving out
headers that are only there for screen readers; an empty cell is marked `data-blank` instead,
for the card to leave it out. The table keeps its meaning from its HTML elements (browsers no
longer drop it when CSS lays the parts out as blocks, and HTML forbids restating it with ARIA
roles inside a table).

It reads the table's own escaped HTML, as the templates write it: tables are not nested, and a
header only for screen readers is a `<span class="visually-hidden">`.
"""
import re
from html import escape, unescape

from markupsafe import Markup

_HEAD = re.compile(r"<thead[\s>].*?</thead>", re.DOTALL)
_HEADER = re.compile(r"<th(?:\s[^>]*)?>(.*?)</th>", re.DOTALL)
_HIDDEN = re.compile(r'<span class="visually-hidden">.*?</span>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
#: The start and end tags of rows and cells: the next one after a cell's start ends its content.
_ROW_OR_CELL = re.compile(r"<(/?)(tr|td|th)(\s[^>]*)?>")
_COLSPAN = re.compile(r'\scolspan="?(\d+)')


def _text(html: str) -> str:
    return " ".join(unescape(_TAG.sub("", html)).split())


def table_cells(rows: str) -> Markup:
    """The header and rows of a table (what goes inside <table>, already escaped), each body
    cell with its column's label."""
    source = str(rows)
    head = _HEAD.search(source)
    if head is None:
        return Markup(source)
    labels = [_text(header) if _text(_HIDDEN.sub("", header)) else None
              for header in _HEADER.findall(head.group())]
    tags = list(_ROW_OR_CELL.finditer(source, head.end()))
    parts, done, column = [], 0, 0
    for tag, following in zip(tags, [*tags[1:], None]):
        closing, name, attributes = tag.group(1), tag.group(2), tag.group(3) or ""
        if closing:
            continue
        if name == "tr":
            column = 0
            continue
        span = int(colspan.group(1)) if (colspan := _COLSPAN.search(attributes)) else 1
        label = labels[column] if span == 1 and column < len(labels) else None
        column += span
        if not source[tag.end():following.start() if following else len(source)].strip():
            added = ' data-blank=""'
        elif label and "data-label=" not in attributes:
            added = f' data-label="{escape(label)}"'
        else:
            continue
        parts += [source[done:tag.end() - 1], added]
        done = tag.end() - 1
    parts.append(source[done:])
    return Markup("".join(parts))
