"""`flask --app app payments reconcile`: compare the recorded payments with Stripe's sessions."""
import click
from flask.cli import with_appcontext

from campaign.payments import service, stripe_api


@click.group("payments", help="Payments taken online through Stripe.")
def payments():
    pass


@payments.command("reconcile")
@click.option("--dry-run", is_flag=True, help="Report the differences without repairing them.")
@with_appcontext
def reconcile(dry_run: bool):
    """Compare open payments and failed refunds with Stripe, and repair what differs.

    A session Stripe has as paid is settled (the webhook was missed): the place is confirmed
    and the ticket or receipt emailed. A session Stripe has as expired frees its held place
    for the waiting list; so does a hold whose time ran out. Failed refunds are tried again.
    Safe to run as often as you like (from cron, say every ten minutes).
    """
    if not stripe_api.is_configured():
        raise click.ClickException("Stripe is not set up: set STRIPE_SECRET_KEY and "
                                   "STRIPE_WEBHOOK_SECRET.")
    differences = service.reconcile(repair=not dry_run)
    for difference in differences:
        what = f"payment {difference.payment_id}: " if difference.payment_id else ""
        done = "repaired" if difference.repaired else "not repaired"
        click.echo(f"{what}{difference.found} ({done})")
    click.echo(f"{len(differences)} differences found.")


commands = [payments]
