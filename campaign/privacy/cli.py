import json
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from campaign.privacy.duties import (
    PrivacyError, apply_retention, erase_person, export_person, find_person,
)
from campaign.audit.service import command_line_actor


@click.group("privacy", help="Export or erase a person's data; apply the retention periods.")
def privacy():
    pass


@privacy.command("export")
@click.argument("email")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the JSON to this file (readable by you only) instead of standard output.")
@with_appcontext
def export(email, output):
    """Export everything held on EMAIL (signatures, registrations, mail) as JSON."""
    try:
        data = export_person(email, actor=command_line_actor())
    except PrivacyError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    click.echo(f"Wrote {output}.", err=True)


@privacy.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation.")
@with_appcontext
def erase(email, yes):
    """Erase everything held on EMAIL; signatures stop counting, registrations are cancelled."""
    try:
        person = find_person(email)
    except PrivacyError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    if person.is_empty:
        click.echo(f"Nothing is held on {person.email}.")
        return
    click.echo(f"Held on {person.email}: {person.summary()}.")
    if not yes:
        click.confirm("Erase all of it? This cannot be undone", abort=True)
    erased = erase_person(email, actor=command_line_actor())
    click.echo(f"Erased: {erased.summary()}.")


@privacy.command("anonymise")
@click.option("--days", type=click.IntRange(min=0),
              help="Anonymise what closed more than this many days ago.  [default: RETENTION_DAYS]")
@click.option("--dry-run", is_flag=True, help="Only show what would be done; change nothing.")
@with_appcontext
def anonymise(days, dry_run):
    """Erase personal data past its retention period, keeping counts and country totals.

    Signatures of statements closed, and registrations of events ended, more than
    --days ago are anonymised; IP hashes older than IP_HASH_RETENTION_DAYS, sent
    mail older than OUTBOX_RETENTION_DAYS and per-recipient mail counts of past days
    are deleted. Safe to run daily from cron.
    """
    report = apply_retention(days=days, dry_run=dry_run, actor=command_line_actor())
    config = current_app.config
    done = "would be" if dry_run else "were"
    if dry_run:
        click.echo("Dry run: nothing is changed.")
    click.echo(f"Statements closed and events ended more than {report.days} days ago:")
    click.echo(f"  {report.signatures} signatures {done} anonymised")
    click.echo(f"  {report.registrations} registrations {done} anonymised")
    click.echo(f"{report.ip_hashes} IP hashes older than "
               f"{config['IP_HASH_RETENTION_DAYS']} days {done} dropped")
    click.echo(f"{report.messages} sent or failed messages older than "
               f"{config['OUTBOX_RETENTION_DAYS']} days {done} deleted")
    click.echo(f"{report.recipient_counts} per-recipient mail counts of past days {done} deleted")


commands = [privacy]
