"""What the command-line groups share: an id argument, tab-separated listings, a record found
by its id or a usage error naming the argument."""
from collections.abc import Iterable

import click

from campaign.common.routing import MAX_DATABASE_INTEGER


def id_argument(name: str):
    """A record's number as an argument: 1 up to what an id column holds."""
    return click.argument(name, type=click.IntRange(min=1, max=MAX_DATABASE_INTEGER))


def echo_rows(rows: Iterable[Iterable]) -> None:
    """One line a row, its cells separated by tabs (for `cut` and `awk`)."""
    for row in rows:
        click.echo("\t".join(str(cell) for cell in row))


def found_or_usage_error(record, what: str, param_hint: str):
    """`record` as found by its id, or a usage error: "there is no such <what>"."""
    if record is None:
        raise click.BadParameter(f"there is no such {what}", param_hint=param_hint)
    return record
