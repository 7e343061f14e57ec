"""`signatures reconcile`, `signatures add` (paper signatures), and `statements import`
(a statement with its signatories).

`signatures export` joins the `signatures` group from exports.cli.
"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from campaign.audit.service import command_line_actor
from campaign.extensions import db
from campaign.organizers.service import organizer_with_email
from campaign.signatures import counts, paper
from campaign.signatures.importing import import_statement
from campaign.statements.cli import public_url
from campaign.statements.cli import statements as statements_group
from campaign.statements.importer import decode_statement_file, parse_statement_text
from campaign.statements.models import Statement
from campaign.statements.service import StatementError
from campaign.statements.translations import save_translation


@click.group("signatures",
             help="Export signatories, add paper signatures and check signature counts.")
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


@signatures.command("add")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=paper.PAPER_SOURCE, show_default=True,
              help="The source code the signatures are stored with.")
@click.option("--collected", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day they were collected (YYYY-MM-DD), for lines that do not say.")
@click.option("--public", is_flag=True,
              help="The signatories agreed to be listed by name on the statement page.")
@click.option("--entered-by", "entered_by", metavar="EMAIL",
              help="The organizer account they are entered for.")
@with_appcontext
def add_command(slug: str, file: Path, source: str, collected, public: bool,
                entered_by: str | None):
    """Add signatures collected on paper to the statement SLUG from FILE.

    A FILE ending in .csv has a header row naming its columns: name, affiliation, email,
    country, date collected, personal capacity (only name is needed). Any other FILE has
    one signatory a line, "Name, affiliation", with "(pc)" or "(personal capacity)" as in
    `statements import`. Every line is checked first, duplicates included: if any line has a
    problem, each is listed and nothing is added.
    """
    statement = statement_by_slug(slug)
    organizer = None
    if entered_by:
        organizer = organizer_with_email(entered_by)
        if organizer is None:
            raise click.ClickException(f"There is no organizer with the email {entered_by!r}.")
    try:
        source = paper.checked_source(source)
        text = paper.decode_upload(file.read_bytes())
        collected_on = collected.date() if collected else None
        lines = (paper.read_csv(text, collected_on) if file.suffix.lower() == ".csv"
                 else paper.read_pasted(text, collected_on))
        batch = paper.check_batch(statement, lines)
        for line in batch.lines:
            for warning in line.warnings:
                click.echo(f"{file}: line {line.number}: {warning}", err=True)
        if not batch.is_ready:
            for line in batch.lines_with_problems:
                for problem in line.problems:
                    click.echo(f"{file}: line {line.number}: {problem}", err=True)
            raise click.ClickException(
                f"{len(batch.lines_with_problems)} line(s) to fix; nothing has been added."
            )
        added = paper.add_paper_signatures(statement, batch, source=source, show_publicly=public,
                                           entered_by=organizer, actor=command_line_actor())
    except paper.PaperError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo(f"Added {added} signature(s) to {statement.slug} with the source {source!r}.")


commands = [signatures]
