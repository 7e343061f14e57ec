import sys

import click
from flask.cli import with_appcontext

from campaign.organizers.models import Role
from campaign.organizers.service import OrganizerError, create_organizer


@click.group("organizers", help="Manage organizer accounts.")
def organizers():
    pass


@organizers.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The organizer's name as shown in the dashboard.")
@click.option("--role", type=click.Choice([r.name for r in Role]), default="editor",
              show_default=True, help="viewer reads and exports; editor also changes; owner also manages organizers.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password as one line from standard input instead of asking.")
@with_appcontext
def create(email, name, role, password_stdin):
    """Create an organizer account with EMAIL; asks for the password on the terminal."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        organizer = create_organizer(email, name, password, Role[role])
    except OrganizerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {organizer.role.name} {organizer.email}.")


commands = [organizers]
