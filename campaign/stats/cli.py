"""`signatures stats SLUG [--json]`: a statement's figures on the command line.

It joins the `signatures` group of the signatures domain, which this floor sits above.
"""
import json

import click
from flask.cli import with_appcontext

from campaign.signatures.cli import signatures, statement_by_slug
from campaign.stats import service


@signatures.command("stats")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: the figures of /s/SLUG/stats.json, with signatures made, the "
                   "update opt-in rate and by source.")
@with_appcontext
def stats_command(slug: str, as_json: bool):
    """Print the figures of the statement SLUG: totals, confirmation rate, update opt-in rate,
    by country, by source and by day (UTC). Read from the counters, as the dashboard's
    statistics are."""
    statement = statement_by_slug(slug)
    figures = service.statement_figures(statement)
    if as_json:
        click.echo(json.dumps(service.public_figures(statement) | {
            "signed": figures.signed,
            "opted_in": figures.opted_in,
            "opt_in_rate": _rounded(figures.opt_in_rate),
            "by_source": [{"source": row.key or None, "signed": row.signed,
                           "signatures": row.counted, "opted_in": row.opted_in}
                          for row in figures.sources],
        }, indent=2))
        return
    click.echo(f"{statement.title} ({statement.slug})")
    click.echo(f"Signatures counted: {figures.counted}; made: {figures.signed}; confirmation "
               f"rate: {_percent(figures.confirmation_rate)}")
    click.echo(f"Update opt-in rate: {_percent(figures.opt_in_rate)} ({figures.opted_in} of "
               f"{figures.signed} asked for updates)")
    _table("By country", [(row.key or "(not given)", row.counted) for row in figures.countries])
    _table("By source (made, counted, opted in)",
           [(row.key or "(none)", f"{row.signed}, {row.counted}, {row.opted_in}")
            for row in figures.sources])
    _table("By day", [(row.key, row.counted) for row in figures.days if row.signed])


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _rounded(rate: float | None) -> float | None:
    """A share as a fraction to four places (0.6667), None while nobody has signed."""
    return None if rate is None else round(rate, 4)


def _table(title: str, rows: list[tuple]) -> None:
    click.echo(f"\n{title}:")
    for key, value in rows:
        click.echo(f"  {key:<20} {value}")
    if not rows:
        click.echo("  (none)")


commands = []
