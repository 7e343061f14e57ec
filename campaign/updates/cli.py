"""`updates send`, `updates status` and `events remind`."""
from datetime import timezone

import click
from flask.cli import with_appcontext

from campaign.supporters.service import mark_complained
from campaign.updates import service
from campaign.updates.reminders import remind_due


@click.group("updates", help="Email updates to supporters, signatories or registrants.")
def updates():
    pass


@updates.command("send")
@click.option("--audience", required=True,
              help="campaign[:SLUG], statement:SLUG or event:SLUG.")
@click.option("--subject", required=True, help="The subject line.")
@click.option("--body", "body_file", required=True, type=click.File(encoding="utf-8"),
              help="A Markdown file with the message.")
@click.option("--at", "send_at", type=click.DateTime(
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
              help="When to send, in UTC (e.g. 2027-03-24T09:00); default now.")
@with_appcontext
def send(audience, subject, body_file, send_at):
    """Schedule an update; `mail send` (or the `mail send --loop` worker) delivers it."""
    try:
        item = service.schedule_update(
            audience, subject, body_file.read(service.BODY_MAX + 1),
            send_at.replace(tzinfo=timezone.utc) if send_at else None, created_by="cli")
    except service.UpdateError as error:
        raise click.UsageError(error.message) from error
    click.echo(f"Update {item.id} scheduled for {item.send_at:%Y-%m-%d %H:%M} UTC.")


@updates.command("status")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@with_appcontext
def status(limit):
    """Each recent update: its status, audience size, queued, sent, failed, unsubscribed since."""
    click.echo("id\tstatus\taudience\tqueued\tsent\tfailed\tskipped\tunsubscribed\tsubject")
    for item in service.list_updates(limit):
        p = service.progress_of(item)
        click.echo(f"{item.id}\t{item.status.value}\t{p.audience}\t{p.queued}\t{p.sent}\t"
                   f"{p.failed}\t{p.skipped}\t{p.unsubscribed_since}\t{item.subject}")


@updates.command("complaint")
@click.argument("email")
@with_appcontext
def complaint(email):
    """Record a spam complaint about an update (a mailbox provider's feedback-loop report):
    the address is never sent another update, in any campaign."""
    marked = mark_complained(email)
    click.echo(f"{marked} supporter record(s) marked as complained.")


@click.group("events", help="Event tasks for cron.")
def events():
    pass


@events.command("remind")
@with_appcontext
def remind():
    """Queue the reminders that are due (default 24 h before each event). Safe to run every
    minute from cron, on several hosts: each event is reminded once, each registrant once."""
    for event in remind_due():
        click.echo(f"Reminder queued for {event.slug}.")


commands = [updates, events]
