import click
from flask.cli import with_appcontext
from sqlalchemy import select

from campaign.exports.csv import write_lines
from campaign.exports.signatures import WHICH, signatories_csv
from campaign.extensions import db
from campaign.privacy.service import command_line_actor
from campaign.signatures import counts
from campaign.statements.models import Statement


@click.group("signatures", help="Export signatories and check signature counts.")
def signatures():
    pass


def _statement(slug: str) -> Statement:
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    if statement is None:
        raise click.ClickException(f"There is no statement with the slug {slug!r}.")
    return statement


@signatures.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--which", type=click.Choice(WHICH), default="all", show_default=True,
              help="all: every signature not withdrawn; public: those the statement page "
                   "lists; curated: the initial signatories.")
@click.option("--bom", is_flag=True,
              help="Start with a byte order mark, so older spreadsheet programs read UTF-8.")
@with_appcontext
def export(slug: str, output: str | None, which: str, bom: bool):
    """Write the signatories of the statement SLUG as CSV (UTF-8, RFC 4180).

    Columns: position, name, affiliation, personal_capacity, country, email, status,
    curated, signed_at (ISO 8601, UTC), comment. Curated signatories come first in
    their order, then the others in the order they signed. The export is audited.
    """
    statement = _statement(slug)
    write_lines(signatories_csv(statement, which=which, bom=bom, actor=command_line_actor()),
                output)


@signatures.command("reconcile")
@click.argument("slug", required=False)
@with_appcontext
def reconcile(slug: str | None):
    """Recount the signatures of SLUG (or of every statement) exactly and fix the counts.

    Reports, per statement, the counts before and after and the drift between them.
    """
    if slug:
        statements = [_statement(slug)]
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
