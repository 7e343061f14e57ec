"""Command line for events: `flask --app app registrations export EVENT_SLUG [-o FILE]`."""
import click
from flask.cli import with_appcontext

from campaign.events.service import event_by_slug
from campaign.exports.csv import write_lines
from campaign.exports.registrations import registrations_csv
from campaign.privacy.service import command_line_actor


@click.group("registrations", help="Export an event's registrants.")
def registrations():
    pass


@registrations.command("export")
@click.argument("event_slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--bom", is_flag=True,
              help="Start with a byte order mark, so older spreadsheet programs read UTF-8.")
@with_appcontext
def export(event_slug: str, output: str | None, bom: bool):
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
