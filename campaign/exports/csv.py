"""One CSV writer for every export (signatories, registrants, privacy exports).

Rows are read and written a few hundred at a time, so a million-row export runs in
constant memory.
Cells a spreadsheet would run as a formula are prefixed with an apostrophe.

The same rules as SQL expressions (`sql_cell` and its kin) let the database write the cells
of a large export itself, so that Python touches each row once (see exports/signatures.py).
"""
import csv
import io
import sys
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import Enum
from queue import Empty, Full, Queue
from typing import TypeVar

import click
from flask import Response, stream_with_context
from sqlalchemy import String, case, func, literal, or_, type_coerce
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


def header_line(header: list[str], bom: bool = False) -> str:
    return (UTF8_BOM if bom else "") + ",".join(map(cell, header)) + "\r\n"


def sql_cell(text: ColumnElement) -> ColumnElement:
    """`cell` in SQL: the text of one cell, neutralised and quoted by the database (NULL is "").

    The common cell (nothing to quote, no formula) is tested and taken as it is; the rest is
    worked out only for the few cells that need it.
    """
    value = func.coalesce(text, "", type_=String) if _nullable(text) else type_coerce(text, String)
    formula = func.substr(value, 1, 1).in_(FORMULA_TRIGGERS)
    neutral = case((formula, literal("'") + value), else_=value)
    needs_quotes = or_(*(value.contains(special) for special in ('"', ",", "\n", "\r")))
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


def sql_date(day: ColumnElement, dialect: str) -> ColumnElement:
    """A DATE as ISO 8601 (YYYY-MM-DD, what SQLite stores); "" for NULL."""
    text = func.to_char(day, "YYYY-MM-DD", type_=String) if dialect == "postgresql" else day
    return func.coalesce(type_coerce(text, String), "", type_=String)


def sql_utc_iso(moment: ColumnElement, dialect: str) -> ColumnElement:
    """A stored UTC time as `neutralise` writes it: ISO 8601 with a Z, microseconds only when
    there are any; "" for NULL."""
    if dialect == "postgresql":  # one to_char, its ".000000" dropped after (half the cost of two)
        text = func.replace(
            func.to_char(func.timezone("UTC", moment), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"',
                         type_=String), ".000000Z", "Z")
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]", in UTC
        text = func.replace(func.replace(moment, " ", "T", type_=String), ".000000", "") + "Z"
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


Batch = TypeVar("Batch")
_END = object()


def read_ahead(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """`batches`, read by a thread up to `depth` ahead of the caller.

    While the caller works on one batch (opening encrypted values, writing lines), the
    database makes and sends the next: the driver lets go of the interpreter while it waits,
    so the two overlap and a large export takes about the longer of the two, not their sum.
    The caller must not use the connection until this ends; when it stops early (a download
    broken off), the thread is stopped and waited for before the connection is handed back.
    """
    ready: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
        except BaseException as error:  # raised again in the caller's thread
            hand_over(error)
            return
        finally:
            getattr(batches, "close", lambda: None)()  # its cursor, in the thread that read it
        hand_over(_END)

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            try:
                ready.get(timeout=0.1)
            except Empty:
                pass
        reader.join()


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
