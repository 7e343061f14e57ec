"""`signatures reconcile`, and `statements import` (a statement with its signatories).

`signatures export` joins the `signatures` group from exports.cli.
"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.importing import import_statement
from campaign.statements.cli import public_url
from campaign.statements.cli import statements as statements_group
from campaign.statements.importer import decode_statement_file, parse_statement_text
from campaign.statements.models import Statement
from campaign.statements.service import StatementError
from campaign.statements.translations import save_translation


@click.group("signatures", help="Export signatories and check signature counts.")
def signatures():
    pass


def statement_by_slug(slug: str) -> Statement:
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    if statement is None:
        raise click.ClickException(f"There is no statement with the slug {slug!r}.")
    return statement


@statements_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="The web address (/s/SLUG); made from the title when not given.")
@click.option("--publish", is_flag=True, help="Publish at once instead of keeping it as a draft.")
@click.option("--language", help="The language the text is written in (one of LANGUAGES).")
@click.option("--translation-of", "original_slug", metavar="SLUG",
              help="Store the text as the translation of statement SLUG into --language.")
@with_appcontext
def import_command(file: Path, slug: str | None, publish: bool, language: str | None,
                   original_slug: str | None):
    """Import a statement from a UTF-8 text FILE.

    The first line is the title, then preamble paragraphs, then numbered points
    "N. Heading: body", then closing text, then a line "Signed:" followed by one
    signatory a line, "Name, affiliation" ("(pc)" or "(personal capacity)" marks
    someone signing for themselves). Signatories become the curated initial
    signatories. Nothing is stored when the file has a mistake.

    With --translation-of SLUG --language uk the same format is the statement's
    translation: it must have as many demands as the original, and its signatories
    (if any) are left out, since signatures belong to the statement.
    """
    if original_slug and not language:
        raise click.UsageError("--translation-of needs --language (the translation's language).")
    if language and language not in current_app.config["LANGUAGES"]:
        raise click.UsageError(f"--language must be one of LANGUAGES: "
                               f"{', '.join(current_app.config['LANGUAGES'])}.")
    try:
        parsed = parse_statement_text(decode_statement_file(file.read_bytes()))
        if original_slug:
            original = statement_by_slug(original_slug)
            translation = save_translation(original, language, parsed.title, parsed.preamble,
                                           parsed.demands, parsed.closing)
            click.echo(f"Imported the {language} translation of “{original.title}” "
                       f"(its revision {translation.revision}): {len(parsed.demands)} demands.")
            click.echo(f"Address: {public_url(original)}?lang={language}")
            return
        statement = import_statement(parsed, slug=slug, publish=publish, language=language)
    except StatementError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo(
        f"Imported “{statement.title}” ({statement.status.value}): "
        f"{len(parsed.demands)} demands, {len(parsed.signatories)} signatories."
    )
    click.echo(f"Address: {public_url(statement)}")


@signatures.command("reconcile")
@click.argument("slug", required=False)
@with_appcontext
def reconcile(slug: str | None):
    """Recount the signatures of SLUG (or of every statement) exactly and fix the counts.

    Reports, per statement, the counts before and after and the drift between them.
    """
    if slug:
        statements = [statement_by_slug(slug)]
    else:
        statements = db.session.scalars(select(Statement).order_by(Statement.id)).all()
    drifted = 0
    for statement in statements:
        before, after = counts.reconcile(statement.id)
        drift = (after.counted - before.counted, after.listed - before.listed)
        drifted += drift != (0, 0)
        click.echo(
            f"{statement.slug}: counted {after.counted} (was {before.counted}, "
            f"drift {drift[0]:+d}), listed {after.listed} (was {before.listed}, "
            f"drift {drift[1]:+d})"
        )
    click.echo(f"{len(statements)} statement(s) checked, {drifted} corrected.")


commands = [signatures]
