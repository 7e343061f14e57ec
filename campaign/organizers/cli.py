import sys

import click
from flask.cli import with_appcontext

from campaign.audit.service import command_line_actor
from campaign.organizers.models import Role
from campaign.organizers.service import (
    OrganizerError, change_password, create_organizer, organizer_with_email,
)

_PASSWORD_STDIN_HELP = "Read the password as one line from standard input instead of asking."


@click.group("organizers", help="Manage organizer accounts.")
def organizers():
    pass


@organizers.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The organizer's name as shown in the dashboard.")
@click.option("--role", type=click.Choice([r.name for r in Role]), default="editor",
              show_default=True, help="viewer reads and exports; editor also changes; owner also manages organizers.")
@click.option("--password-stdin", is_flag=True, help=_PASSWORD_STDIN_HELP)
@with_appcontext
def create(email, name, role, password_stdin):
    """Create an organizer account with EMAIL; asks for the password on the terminal."""
    try:
        organizer = create_organizer(email, name, _read_password(password_stdin), Role[role])
    except OrganizerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {organizer.role.name} {organizer.email}.")


@organizers.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help=_PASSWORD_STDIN_HELP)
@with_appcontext
def password(email, password_stdin):
    """Set a new password for the organizer with EMAIL and end their sessions; asks on the terminal."""
    organizer = organizer_with_email(email)
    if organizer is None:
        raise click.ClickException(f"No organizer has the email {email}.")
    try:
        change_password(organizer, _read_password(password_stdin), actor=command_line_actor())
    except OrganizerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Changed the password of {organizer.email}; they must log in again everywhere.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


commands = [organizers]
