import click
from flask.cli import with_appcontext

from campaign.audit.service import command_line_actor
from campaign.common.cli import echo_rows, found_or_usage_error, id_argument
from campaign.webhooks.delivery import deliver_due, run_forever
from campaign.webhooks.models import WebhookEvent
from campaign.webhooks.service import (
    WebhookError, add_endpoint, all_endpoints, get_endpoint, remove_endpoint,
)

EVENT_NAMES = [event.value for event in WebhookEvent]


@click.group("webhooks", help="Signed webhooks to partner systems.")
def webhooks():
    pass


@webhooks.command("add")
@click.argument("url")
@click.option("--events", required=True,
              help="Comma-separated, from: " + ", ".join(EVENT_NAMES) + ".")
@click.option("--secret", default=None, help="The signing secret (default: a new random one).")
@with_appcontext
def add(url, events, secret):
    """Send the chosen events to URL (HTTPS), signed; prints the signing secret once."""
    try:
        endpoint, secret = add_endpoint(url, [name.strip() for name in events.split(",")],
                                        actor=command_line_actor(), secret=secret)
    except WebhookError as error:
        raise click.BadParameter(error.message,
                                 param_hint="--" + (error.field or "url")) from error
    click.echo(f"Webhook {endpoint.id} to {endpoint.url}: {', '.join(endpoint.events)}.")
    click.echo(f"Signing secret (keep it with the receiver; not shown again): {secret}")


@webhooks.command("list")
@with_appcontext
def list_endpoints():
    """Every endpoint: number, on or off, address, events."""
    echo_rows((endpoint.id, "on" if endpoint.active else "off", endpoint.url,
               ",".join(endpoint.events)) for endpoint in all_endpoints())


@webhooks.command("remove")
@id_argument("endpoint_id")
@with_appcontext
def remove(endpoint_id):
    """Remove the endpoint ENDPOINT_ID and its delivery log."""
    endpoint = found_or_usage_error(get_endpoint(endpoint_id), "webhook", "ENDPOINT_ID")
    remove_endpoint(endpoint, actor=command_line_actor())
    click.echo(f"Webhook {endpoint_id} removed.")


@webhooks.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (a production worker).")
@click.option("--interval", type=click.IntRange(min=1, max=3600), default=5, show_default=True,
              help="Seconds between rounds with --loop.")
@with_appcontext
def deliver(loop, interval):
    """Deliver what is due, with retries and backoff; any number may run at once."""
    if not loop:
        _echo(deliver_due())
        return
    click.echo(f"Delivering webhooks every {interval}s; stop with Ctrl-C.")
    run_forever(interval, _echo)
    click.echo("Stopped.")


def _echo(report) -> None:
    click.echo(f"Delivered {report.delivered}, to retry {report.retrying}, "
               f"failed {report.failed}.")


commands = [webhooks]
