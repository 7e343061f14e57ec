"""One CSV writer for every export (signatories, registrants, privacy exports).

Rows are read and written a few hundred at a time, so a million-row export runs in
constant memory.
Cells a spreadsheet would run as a formula are prefixed with an apostrophe.

The same rules as PostgreSQL expressions (`sql_cell` and its kin) let the database write the
cells of a large export itself, in its own process, and `cells` applies `cell` to a whole
column at once (see exports/signatures.py).
"""
import csv
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from enum import Enum

import click
from flask import Response, stream_with_context
from sqlalchemy import String, case, func, literal, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from campaign.common.text import FORMULA_TRIGGERS
UTF8_BOM = "\ufeff"
LINES_PER_PIECE = 500


def neutralise(value) -> str:
    """The text of one cell, with a leading apostrophe where a spreadsheet would see a formula."""
    if value.__class__ is str:  # most cells: checked first, as a million-row export calls this 10M times
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def cell(text: str) -> str:
    """One text cell as csv.writer writes it (RFC 4180 quoting), neutralised."""
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


#: What `cell` would change, looked for in texts joined by NUL (which no stored text holds):
#: a character to quote, or a formula's first character.
_CELL_WORK = ('"', ",", "\n", "\r", *("\0" + trigger for trigger in FORMULA_TRIGGERS))


def cells(texts: Sequence[str]) -> Sequence[str]:
    """`cell` of each text: the texts as they are when none needs quoting or neutralising
    (nearly every batch of an export), which ten searches of them all, joined, find."""
    joined = "\0" + "\0".join(texts)
    if any(work in joined for work in _CELL_WORK):
        return [cell(text) if text else "" for text in texts]
    return texts


def header_line(header: list[str], bom: bool = False) -> str:
    return (UTF8_BOM if bom else "") + ",".join(map(cell, header)) + "\r\n"


def sql_cell(text: ColumnElement) -> ColumnElement:
    """`cell` in PostgreSQL: the text of one cell, neutralised and quoted by the database (NULL
    is "").

    The common cell (nothing to quote, no formula) is tested and taken as it is; the rest is
    worked out only for the few cells that need it. The tests are a character's position and
    the first character's code: four `LIKE '%,%'` and a `substr(...) IN (...)` cost twice as
    much (0.39 µs a cell against 0.22).
    """
    value = func.coalesce(text, "", type_=String) if _nullable(text) else type_coerce(text, String)
    formula = func.ascii(value).in_([ord(trigger) for trigger in FORMULA_TRIGGERS])
    needs_quotes = sum(func.strpos(value, special) for special in ('"', ",", "\n", "\r")) > 0
    neutral = case((formula, literal("'") + value), else_=value)
    return case((needs_quotes, literal('"') + func.replace(neutral, '"', '""') + '"'),
                (formula, literal("'") + value), else_=value)


def _nullable(expression: ColumnElement) -> bool:
    return getattr(expression, "nullable", True)


def sql_yes_no(flag: ColumnElement) -> ColumnElement:
    return case((flag.is_(True), literal("yes")), else_=literal("no"))


def sql_enum_value(stored: ColumnElement, enum: type[Enum]) -> ColumnElement:
    """An Enum column as its values (SQLAlchemy stores the members' names, which are the
    values for most enums: then the column is the cell as it is)."""
    name = type_coerce(stored, String)
    if all(member.name == member.value for member in enum):
        return func.coalesce(name, "", type_=String) if _nullable(stored) else name
    return case(*((name == member.name, literal(member.value)) for member in enum),
                else_=literal(""))


def sql_date(day: ColumnElement) -> ColumnElement:
    """A DATE as ISO 8601 (YYYY-MM-DD); "" for NULL."""
    return func.coalesce(func.to_char(day, "YYYY-MM-DD", type_=String), "", type_=String)


def sql_utc_iso(moment: ColumnElement) -> ColumnElement:
    """A stored UTC time as `neutralise` writes it: ISO 8601 with a Z, microseconds only when
    there are any; "" for NULL. One to_char, its ".000000" dropped after (half the cost of two)."""
    text = func.replace(
        func.to_char(func.timezone("UTC", moment), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"', type_=String),
        ".000000Z", "Z")
    return case((moment.is_(None), literal("")), else_=text) if _nullable(moment) else text


def sql_joined(*cells) -> ColumnElement:
    """Cells (SQL expressions, or text as it is) joined by commas into one expression."""
    parts = [cell if isinstance(cell, ColumnElement) else literal(cell, String) for cell in cells]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "," + part
    return joined


def csv_lines(header: list[str], rows: Iterable[Iterable], bom: bool = False) -> Iterator[str]:
    """Yield the CSV text in pieces of whole lines: header first, CRLF endings, cells neutralised.

    Lines are handed out LINES_PER_PIECE at a time, so a streamed download is a few thousand
    writes rather than one per row, and memory stays that small.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(UTF8_BOM if bom else "")
    writer.writerow(map(neutralise, header))
    waiting = 1
    for row in rows:
        writer.writerow(map(neutralise, row))
        waiting += 1
        if waiting == LINES_PER_PIECE:
            yield _take(buffer)
            waiting = 0
    yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_lines(lines: Iterable[str], output: str | None) -> None:
    """Write an export for the command line: to the file `output`, or else to standard output."""
    if output:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.writelines(lines)
        click.echo(f"Wrote {output}.", err=True)
        return
    stdout = sys.stdout.buffer
    for line in lines:
        stdout.write(line.encode("utf-8"))
    stdout.flush()


def csv_download(lines: Iterable[str], filename: str) -> Response:
    """A CSV export as a streamed download that no cache keeps."""
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
