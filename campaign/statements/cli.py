from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from campaign.statements.importer import (
    decode_statement_file, import_statement, parse_statement_text,
)
from campaign.statements.models import Statement
from campaign.statements.service import StatementError


@click.group("statements", help="Manage statements.")
def statements():
    pass


@statements.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="The web address (/s/SLUG); made from the title when not given.")
@click.option("--publish", is_flag=True, help="Publish at once instead of keeping it as a draft.")
@with_appcontext
def import_command(file: Path, slug: str | None, publish: bool):
    """Import a statement from a UTF-8 text FILE.

    The first line is the title, then preamble paragraphs, then numbered points
    "N. Heading: body", then closing text, then a line "Signed:" followed by one
    signatory a line, "Name, affiliation" ("(pc)" or "(personal capacity)" marks
    someone signing for themselves). Signatories become the curated initial
    signatories. Nothing is stored when the file has a mistake.
    """
    try:
        parsed = parse_statement_text(decode_statement_file(file.read_bytes()))
        statement = import_statement(parsed, slug=slug, publish=publish)
    except StatementError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo(
        f"Imported “{statement.title}” ({statement.status.value}): "
        f"{len(parsed.demands)} demands, {len(parsed.signatories)} signatories."
    )
    click.echo(f"Address: {public_url(statement)}")


def public_url(statement: Statement) -> str:
    """The statement's public address under BASE_URL (usable outside a request)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/s/{statement.slug}"


commands = [statements]
