"""One CSV writer for every export (signatories, registrants, privacy exports).

Rows are read and written a few hundred at a time, so a million-row export runs in
constant memory.
Cells a spreadsheet would run as a formula are prefixed with an apostrophe.
"""
import csv
import io
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime

import click
from flask import Response, stream_with_context

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
