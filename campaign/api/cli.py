import click
from flask.cli import with_appcontext

from campaign.api.keys import ApiKeyError, create_key, get_key, keys_page, revoke_key
from campaign.api.models import ApiScope
from campaign.audit.service import command_line_actor
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
    for key in keys_page(1, 1000).items:
        used = format_datetime(key.last_used_at) if key.last_used_at else "never used"
        state = "active" if key.is_active else "revoked"
        click.echo(f"{key.id}\t{key.prefix}…\t{key.scope.value}\t{state}\t{used}\t{key.name}")


@api_keys.command("revoke")
@click.argument("key_id", type=click.IntRange(min=1, max=2**31 - 1))
@with_appcontext
def revoke(key_id):
    """Stop the key KEY_ID working, at once."""
    key = get_key(key_id)
    if key is None:
        raise click.BadParameter("there is no such key", param_hint="KEY_ID")
    revoke_key(key, actor=command_line_actor())
    click.echo(f"API key {key.id} ({key.name}) is revoked.")


commands = [api_keys]
