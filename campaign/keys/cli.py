import click
from flask.cli import with_appcontext

from campaign.audit.service import command_line_actor, record
from campaign.common.crypto import UndecryptableValue, keyring
from campaign.extensions import db
from campaign.keys.service import DEFAULT_BATCH, left_under_other_keys, rotate


@click.group("keys", help="Look after the keys that encrypt personal data at rest.")
def keys():
    pass


@keys.command("rotate")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH,
              show_default=True, help="Rows re-encrypted per transaction.")
@with_appcontext
def rotate_command(batch_size):
    """Re-encrypt every value that is not under the current DATA_KEY.

    Run it after setting a new DATA_KEY and moving the old one to DATA_KEYS_RETIRED, with
    the app running: it goes a batch at a time, and if stopped it carries on where it was
    when run again. When it says nothing is left, the retired keys can be dropped.
    """
    current = keyring()
    click.echo(f"Re-encrypting under key {current.current_id}"
               f" (retired: {', '.join(current.retired_ids) or 'none'}).")
    done = 0
    try:
        for progress in rotate(batch_size):
            done += progress.rows
            click.echo(f"  {progress.table}: {progress.done} rows re-encrypted, "
                       f"{progress.left} to go")
    except UndecryptableValue as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record("keys.rotate", f"key:{current.current_id}", f"{done} rows re-encrypted",
           actor=command_line_actor())
    db.session.commit()
    left = left_under_other_keys()
    if left:
        click.echo(f"{left} rows are still under other keys (changed while this ran): "
                   "run `keys rotate` again.")
    else:
        click.echo("Nothing is left under retired keys: DATA_KEYS_RETIRED can be emptied.")


commands = [keys]
