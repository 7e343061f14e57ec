"""Export commands: `signatures export SLUG` and `registrations export EVENT_SLUG`.

`signatures export` joins the `signatures` group of the signatures domain, which this
floor sits above; `registrations` is a group of its own.
"""
import click
from flask.cli import with_appcontext

from campaign.audit.service import command_line_actor
from campaign.events.service import event_by_slug
from campaign.exports.csv import write_lines
from campaign.exports.registrations import registrations_csv
from campaign.exports.signatures import WHICH, signatories_csv
from campaign.signatures.cli import signatures, statement_by_slug

_BOM_HELP = "Start with a byte order mark, so older spreadsheet programs read UTF-8."


@signatures.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--which", type=click.Choice(WHICH), default="all", show_default=True,
              help="all: every signature not withdrawn; public: those the statement page "
                   "lists; curated: the initial signatories.")
@click.option("--bom", is_flag=True, help=_BOM_HELP)
@with_appcontext
def export_signatories(slug: str, output: str | None, which: str, bom: bool):
    """Write the signatories of the statement SLUG as CSV (UTF-8, RFC 4180).

    Columns: position, name, affiliation, personal_capacity, country, email, status,
    curated, signed_at (ISO 8601, UTC), comment, source (the code of the link that brought
    them), referrer_domain (the site they came from). Curated signatories come first in
    their order, then the others in the order they signed. The export is audited.
    """
    statement = statement_by_slug(slug)
    write_lines(signatories_csv(statement, which=which, bom=bom, actor=command_line_actor()),
                output)


@click.group("registrations", help="Export an event's registrants.")
def registrations():
    pass


@registrations.command("export")
@click.argument("event_slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--bom", is_flag=True, help=_BOM_HELP)
@with_appcontext
def export_registrants(event_slug: str, output: str | None, bom: bool):
    """Write the registrants of the event EVENT_SLUG as CSV (UTF-8, RFC 4180).

    Columns: reference, name, email, affiliation, ticket, status (confirmed, waitlisted,
    cancelled), amount, currency, paid_at, checked_in_at, registered_at, cancelled_at
    (times ISO 8601, UTC), in the order people registered. The export is audited.
    """
    event = event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"There is no event with the slug {event_slug!r}.")
    write_lines(registrations_csv(event, bom=bom, actor=command_line_actor()), output)


commands = [registrations]
