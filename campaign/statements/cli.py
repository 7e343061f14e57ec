"""The `statements` command group. `statements import` joins it from signatures.cli, since
an imported statement brings its signatories, and signatures sit above statements."""
import click
from flask import current_app

from campaign.statements.models import Statement


@click.group("statements", help="Manage statements.")
def statements():
    pass


def public_url(statement: Statement) -> str:
    """The statement's public address under BASE_URL (usable outside a request)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/s/{statement.slug}"


commands = [statements]
