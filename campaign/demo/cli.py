"""`flask demo`: load demo content, so a new install has something real to look at.

Each loader in DEMO_LOADERS takes the `DemoContent` built so far, adds its part in the
session and returns lines to print. Other domains add their part by appending a loader
(for example the statement's launch meeting).
"""
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, select

from campaign.common.errors import DomainError
from campaign.events.demo import load_launch_meeting
from campaign.extensions import db
from campaign.home.demo import load_site_identity
from campaign.news.demo import load_briefing
from campaign.organizers.models import Organizer, Role
from campaign.organizers.service import MIN_PASSWORD_LENGTH, OrganizerError, create_organizer
from campaign.statements.cli import public_url
from campaign.signatures.importing import import_statement
from campaign.statements.importer import decode_statement_file, parse_statement_text
from campaign.statements.models import Campaign, Statement
from campaign.statements.service import ensure_campaign
from campaign.statements.translations import save_translation

CAMPAIGN_NAME = "Ukraine Solidarity Campaign"
STATEMENT_FILE = Path(__file__).with_name("statement.txt")
UKRAINIAN_STATEMENT_FILE = Path(__file__).with_name("statement_uk.txt")
STATEMENT_SLUG = "free-and-united-ukraine"
ORGANIZER_EMAIL = "organizer@example.org"


@dataclass
class DemoContent:
    campaign: Campaign
    statement: Statement | None = None


def load_statement(content: DemoContent) -> list[str]:
    """The charter with its seven demands and eighteen initial signatories, published."""
    parsed = parse_statement_text(decode_statement_file(STATEMENT_FILE.read_bytes()))
    content.statement = import_statement(parsed, slug=STATEMENT_SLUG, publish=True,
                                         campaign=content.campaign)
    return [
        f"Statement “{content.statement.title}”: {len(parsed.demands)} demands, "
        f"{len(parsed.signatories)} initial signatories.",
        f"  {public_url(content.statement)}",
    ]


def load_statement_translation(content: DemoContent) -> list[str]:
    """The charter in Ukrainian (statement_uk.txt), when the site offers Ukrainian."""
    if content.statement is None or "uk" not in current_app.config["LANGUAGES"]:
        return []
    parsed = parse_statement_text(decode_statement_file(UKRAINIAN_STATEMENT_FILE.read_bytes()))
    save_translation(content.statement, "uk", parsed.title, parsed.preamble, parsed.demands,
                     parsed.closing)
    return [f"Its Ukrainian translation: “{parsed.title}”.",
            f"  {public_url(content.statement)}?lang=uk"]


#: Run in order; each returns the lines to print.
DEMO_LOADERS: list[Callable[[DemoContent], list[str]]] = [
    load_statement, load_statement_translation, load_launch_meeting, load_site_identity,
    load_briefing,
]


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already has a statement.")
@with_appcontext
def demo(if_empty: bool):
    """Load demo content: the Ukraine Solidarity Campaign's statement and an owner account.

    The organizer's password is DEMO_PASSWORD when set, otherwise a new one, printed once.
    """
    if if_empty and db.session.scalar(select(exists().where(Statement.id.isnot(None)))):
        click.echo("The database already has statements: no demo content loaded.")
        click.echo(_how_to_log_in())
        return
    password = current_app.config["DEMO_PASSWORD"] or _new_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"DEMO_PASSWORD must be at least {MIN_PASSWORD_LENGTH} characters."
        )
    content = DemoContent(campaign=ensure_campaign(CAMPAIGN_NAME))
    try:
        for loader in DEMO_LOADERS:
            for line in loader(content):
                click.echo(line)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"Demo content not loaded: {error}") from error
    click.echo(_organizer_account(password))


def _new_password() -> str:
    """Sixteen letters and digits: easy to copy from a terminal, nothing a shell would misread."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _login_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + "/login"


def _how_to_log_in() -> str:
    """For a database loaded before: the demo account's login, or how to make an account."""
    if db.session.scalar(select(exists().where(Organizer.email == ORGANIZER_EMAIL))):
        return (f"Log in at {_login_url()} as {ORGANIZER_EMAIL} with the password printed when "
                "the demo was loaded. To set a new one: "
                f"flask --app app organizers password {ORGANIZER_EMAIL}")
    return (f"Log in at {_login_url()} with an organizer account. To add one: "
            "flask --app app organizers create EMAIL --name NAME --role owner")


def _organizer_account(password: str) -> str:
    if db.session.scalar(select(exists().where(Organizer.email == ORGANIZER_EMAIL))):
        return _how_to_log_in()
    try:
        create_organizer(ORGANIZER_EMAIL, "Demo Organizer", password, Role.owner)
    except OrganizerError as error:
        raise click.ClickException(str(error)) from error
    base = current_app.config["BASE_URL"].rstrip("/")
    return (f"Log in at {_login_url()} as {ORGANIZER_EMAIL} with the password {password} "
            f"(an owner account; the dashboard is {base}/dashboard).")


commands = [demo]
