import os
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from campaign.common.emails import InvalidEmail, validated_email
from campaign.extensions import db
from campaign.mail.sender import send_due
from campaign.mail.service import enqueue


@click.group("mail", help="Deliver the outbox.")
def mail():
    pass


@mail.command("send")
@click.option("--loop", is_flag=True,
              help="Keep running, sending what becomes due, until stopped (a production worker).")
@click.option("--interval", type=click.IntRange(min=1), default=10, show_default=True,
              help="Seconds between rounds with --loop.")
@click.option("--nice", "niceness", type=click.IntRange(0, 19), default=10, show_default=True,
              help="How far below the web server's CPU priority to run with --loop, so that "
                   "a large send on the same host never slows the pages (0: the same).")
@click.option("--share", type=click.FloatRange(0.05, 1), default=0.25, show_default=True,
              help="The most of its time the sender spends working with --loop: after each "
                   "batch it rests long enough that its work is this share of the whole, so "
                   "that working off a spike's mail leaves the database and the processors to "
                   "the pages (1: no rest).")
@with_appcontext
def send(loop, interval, niceness, share):
    """Send every message that is due, retrying failed attempts when their time comes.

    Any number of these may run at once, on any number of hosts: each message is
    claimed by one sender only.
    """
    if not loop:
        _echo_report(send_due())
        return
    os.nice(niceness)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"Sending mail every {interval}s; stop with Ctrl-C.")
    try:
        while not stop.is_set():
            try:
                report = send_due(rest=lambda busy: stop.wait(busy * (1 - share) / share))
            except SQLAlchemyError:
                db.session.rollback()
                current_app.logger.exception("mail round failed; trying again next round")
            else:
                if report.sent or report.retrying or report.failed:
                    _echo_report(report)
            db.session.remove()
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped.")


@mail.command("test")
@click.argument("address")
@with_appcontext
def test(address):
    """Send a test message to ADDRESS now, to check the mail settings."""
    try:
        address = validated_email(address)
    except InvalidEmail as error:
        raise click.BadParameter(str(error), param_hint="ADDRESS") from error
    enqueue("test", address, _("Test message"), "mail_test")
    db.session.commit()
    _echo_report(send_due())


def _echo_report(report) -> None:
    click.echo(f"Sent {report.sent}, to retry {report.retrying}, failed {report.failed}.")


commands = [mail]
