"""`|table_cells`: the rows of a dashboard table made ready to read as cards on a phone.

On a narrow screen the stylesheet shows each row as a card and each cell as "Label: value",
the label coming from the cell's `data-label`. This filter gives each body cell the text of its
column's header (as translated in the header itself, so nothing is written twice), leaving out
headers that are only there for screen readers; an empty cell is marked `data-blank` instead,
for the card to leave it out. The table keeps its meaning from its HTML elements (browsers no
longer drop it when CSS lays the parts out as blocks, and HTML forbids restating it with ARIA
roles inside a table).
"""
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Cells(HTMLParser):
    def __init__(self, source: str):
        super().__init__()
        self.source = source
        self.line_starts = [0]
        for line in source.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.additions: list[tuple[int, dict[str, str]]] = []  # where, and what attributes
        self.cell: dict[str, str] | None = None  # the attributes the body cell being read gets
        self.cell_filled = False
        self.in_head = False
        self.labels: list[str | None] = []
        self.header: list[tuple[str, bool]] | None = None  # its text, each part hidden or not
        self.open_in_header: list[bool] = []  # the elements open in it, each hidden or not
        self.column = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("thead", "tbody", "tfoot"):
            self.in_head = tag == "thead"
        elif tag == "tr":
            self.column = 0
        elif tag in ("td", "th"):
            self._start_cell(attributes)
        elif self.header is not None and tag not in _VOID:
            self.open_in_header.append("visually-hidden" in (attributes.get("class") or "").split())
        elif self.cell is not None:
            self.cell_filled = True

    def _start_cell(self, attributes):
        span = int(attributes.get("colspan") or 1)
        if self.in_head:
            self.header = []
        else:
            label = self.labels[self.column] if span == 1 and self.column < len(self.labels) else None
            self.cell = {"data-label": label} if label and "data-label" not in attributes else {}
            self.cell_filled = False
            line, column = self.getpos()
            tag_text = self.get_starttag_text()
            self.additions.append((
                self.line_starts[line - 1] + column + len(tag_text)
                - (2 if tag_text.endswith("/>") else 1),
                self.cell))
        self.column += span

    def handle_endtag(self, tag):
        if tag == "th" and self.in_head and self.header is not None:
            visible = "".join(text for text, hidden in self.header if not hidden).strip()
            label = " ".join("".join(text for text, _ in self.header).split())
            self.labels.append(label if visible else None)
            self.header = None
            self.open_in_header = []
        elif self.header is not None and self.open_in_header and tag not in _VOID:
            self.open_in_header.pop()
        elif tag in ("td", "th") and self.cell is not None:
            if not self.cell_filled:
                self.cell.pop("data-label", None)
                self.cell["data-blank"] = ""
            self.cell = None

    def handle_data(self, data):
        if self.header is not None:
            self.header.append((data, any(self.open_in_header)))
        elif self.cell is not None and data.strip():
            self.cell_filled = True

    def result(self) -> str:
        parts, done = [], 0
        for offset, added in self.additions:
            parts.append(self.source[done:offset])
            parts += [f' {name}="{escape(value)}"' for name, value in added.items()]
            done = offset
        parts.append(self.source[done:])
        return "".join(parts)


def table_cells(rows: str) -> Markup:
    """The header and rows of a table (what goes inside <table>, already escaped), each body
    cell with its column's label."""
    parser = _Cells(str(rows))
    parser.feed(str(rows))
    parser.close()
    return Markup(parser.result())
