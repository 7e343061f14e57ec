import click
from flask.cli import with_appcontext

from campaign.api.keys import ApiKeyError, create_key, get_key, keys_page, revoke_key
from campaign.api.models import ApiScope
from campaign.audit.service import command_line_actor
from campaign.common.cli import echo_rows, found_or_usage_error, id_argument
from campaign.common.dates import format_datetime


@click.group("api-keys", help="Keys for the OSDI API (/api/v1/).")
def api_keys():
    pass


@api_keys.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice([scope.value for scope in ApiScope]), default="read",
              show_default=True, help="read: personal data too; write: also record signatures "
                                      "and attendances.")
@with_appcontext
def create(name, scope):
    """Make a key called NAME and print it, this once: only its hash is kept."""
    try:
        made = create_key(name, ApiScope(scope), actor=command_line_actor())
    except ApiKeyError as error:
        raise click.BadParameter(error.message, param_hint="NAME") from error
    click.echo(f"API key {made.key.id} ({scope}) for {made.key.name}. Copy it now: it is not "
               "shown again.")
    click.echo(made.secret)


@api_keys.command("list")
@with_appcontext
def list_keys():
    """Every key: number, name, scope, last use, whether revoked."""
    echo_rows((key.id, f"{key.prefix}…", key.scope.value,
               "active" if key.is_active else "revoked",
               format_datetime(key.last_used_at) if key.last_used_at else "never used", key.name)
              for key in keys_page(1, 1000).items)


@api_keys.command("revoke")
@id_argument("key_id")
@with_appcontext
def revoke(key_id):
    """Stop the key KEY_ID working, at once."""
    key = found_or_usage_error(get_key(key_id), "key", "KEY_ID")
    revoke_key(key, actor=command_line_actor())
    click.echo(f"API key {key.id} ({key.name}) is revoked.")


commands = [api_keys]
