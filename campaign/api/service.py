"""The shapes the public API returns; only what the public page already shows."""
from campaign.common.urls import absolute_url
from campaign.signatures import counts
from campaign.signatures.models import Signature
from campaign.statements.models import Statement
from campaign.statements.service import is_open_for_signing


def statement_summary(statement: Statement, totals: counts.Totals) -> dict:
    return {
        "slug": statement.slug,
        "title": statement.title,
        "status": statement.status.value,
        "open_for_signing": is_open_for_signing(statement),
        "signature_count": totals.counted,
        "signature_goal": statement.signature_goal,
        "url": absolute_url("signatures.statement_page", slug=statement.slug),
    }


def statement_detail(statement: Statement) -> dict:
    totals = counts.totals(statement.id)
    return {
        **statement_summary(statement, totals),
        "preamble": statement.preamble,
        "demands": [
            {"position": d.position, "heading": d.heading, "body": d.body}
            for d in statement.demands
        ],
        "closing": statement.closing,
        "revision": statement.revision,
        "published_at": _iso(statement.published_at),
        "amended_at": _iso(statement.amended_at),
        "listed_count": totals.listed,
    }


def signatory(signature: Signature) -> dict:
    """A listed signatory: never the email, the country or the comment."""
    return {
        "name": signature.name,
        "affiliation": signature.affiliation,
        "personal_capacity": signature.personal_capacity,
        "curated": signature.featured,
    }


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
