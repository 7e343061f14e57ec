"""One CSV writer for every export (signatories, registrants, privacy exports).

Rows are written one at a time so a million-row export runs in constant memory.
Cells a spreadsheet would run as a formula are prefixed with an apostrophe.
"""
import csv
import io
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime

import click

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def neutralise(value) -> str:
    """The text of one cell, with a leading apostrophe where a spreadsheet would see a formula."""
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
    """Yield the CSV text line by line: header first, CRLF endings, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield (UTF8_BOM if bom else "") + line(header)
    for row in rows:
        yield line(row)


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
