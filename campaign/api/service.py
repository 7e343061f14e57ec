"""The shapes the public API returns; only what the public page already shows."""
from campaign.common.urls import absolute_url
from campaign.endorsements.models import Endorsement
from campaign.endorsements.service import approved_count
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
        "endorsement_count": approved_count(statement.id),
    }


def signatory(signature: Signature) -> dict:
    """A listed signatory: never the email, the country or the comment."""
    return {
        "name": signature.name,
        "affiliation": signature.affiliation,
        "personal_capacity": signature.personal_capacity,
        "curated": signature.featured,
    }


def endorsement(endorsement: Endorsement) -> dict:
    """An approved endorsement: never the contact address."""
    return {
        "name": endorsement.name,
        "kind": endorsement.kind.value,
        "website": endorsement.website or None,
        "logo_url": absolute_url("endorsements.logo", endorsement_id=endorsement.id,
                                 digest=endorsement.logo_digest)
        if endorsement.has_logo else None,
        "endorsed_at": _iso(endorsement.approved_at),
    }


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
