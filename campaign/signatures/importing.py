"""Storing an imported statement with its curated signatories, all or nothing.

The text is parsed by `statements.importer`; the statement is made by the statements
domain and its signatories by this one, in one transaction.
"""
from campaign.audit.service import record
from campaign.extensions import db
from campaign.signatures.service import add_curated
from campaign.statements.importer import ParsedStatement
from campaign.statements.models import Campaign, Statement
from campaign.statements.service import change_status, create_statement


def import_statement(parsed: ParsedStatement, slug: str | None = None, publish: bool = False,
                     campaign: Campaign | None = None, language: str | None = None) -> Statement:
    """Store a parsed statement; it belongs to `campaign`, or to the default campaign.

    `language` is the one it is written in (the default language when not given)."""
    try:
        statement = create_statement(
            parsed.title,
            slug=slug,
            preamble=parsed.preamble,
            closing=parsed.closing,
            demands=parsed.demands,
            campaign=campaign,
            commit=False,
        )
        if language:
            statement.language = language
        added = add_curated(statement, parsed.signatories)
        if publish:
            change_status(statement, "publish", commit=False)
        record("statement.import", f"statement:{statement.slug}",
               f"{len(parsed.demands)} demands, {added} signatories")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return statement
