"""Endorsements: an organisation's public backing of a statement.

Submitted on the statement's public form they wait for an organizer's approval; entered by
an organizer they are approved at once. Only approved ones are shown, counted and given to
the API. The contact address is private: it reaches the organizers' CSV export and a
person's privacy export, nothing public. One endorsement per organisation and statement is
kept by the database (the name, case and spacing aside).
"""
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.logo import logo_from_upload
from campaign.common.time import utcnow
from campaign.endorsements.models import (
    WEBSITE_MAX_LENGTH, Endorsement, EndorsementStatus, OrganisationKind,
)
from campaign.extensions import db
from campaign.statements.models import Statement
from campaign.statements.service import is_open_for_signing

_WEB_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
#: The statement page lists at most this many endorsing organisations (the count says all).
SHOWN_ON_PAGE = 500


class EndorsementError(DomainError):
    """The endorsement cannot be kept as given; the message says why."""


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    kind: OrganisationKind
    website: str = ""
    contact_email: str = ""
    #: The uploaded logo's bytes, or None.
    logo: bytes | None = None


def submit_endorsement(statement: Statement, details: OrganisationDetails) -> Endorsement:
    """The public form: kept pending until an organizer approves it."""
    if not is_open_for_signing(statement):
        raise EndorsementError(_("This statement is no longer open for endorsements."))
    endorsement = _store(statement, details, EndorsementStatus.pending, None)
    record("endorsement.submit", f"statement:{statement.slug}", details.name, actor="visitor")
    db.session.commit()
    return endorsement


def add_endorsement(statement: Statement, details: OrganisationDetails,
                    organizer) -> Endorsement:
    """Entered by an organizer: approved at once."""
    endorsement = _store(statement, details, EndorsementStatus.approved, organizer)
    record("endorsement.add", f"statement:{statement.slug}", details.name)
    db.session.commit()
    return endorsement


def _store(statement: Statement, details: OrganisationDetails, status: EndorsementStatus,
           organizer) -> Endorsement:
    logo = logo_from_upload(details.logo) if details.logo else None
    endorsement = Endorsement(
        statement_id=statement.id,
        name=details.name,
        kind=details.kind,
        website=checked_website(details.website),
        contact_email=details.contact_email or None,
        logo_png=logo.png if logo else None,
        logo_digest=logo.digest if logo else None,
        status=status,
        approved_at=utcnow() if status is EndorsementStatus.approved else None,
        entered_by_id=organizer.id if organizer is not None else None,
    )
    db.session.add(endorsement)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise EndorsementError(_(
            "An organisation of this name has already endorsed this statement, or its "
            "endorsement is waiting for approval."), field="name") from error
    return endorsement


def checked_website(address: str) -> str:
    """An http(s) address with a host, as given; "" stays ""."""
    if not address:
        return ""
    if not _WEB_SCHEME.match(address):
        if _ANY_SCHEME.match(address):  # javascript:, data:, mailto: ...
            address = ""
        else:
            address = "https://" + address
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
        valid = (parts.scheme in ("http", "https") and "." in (parts.hostname or "")
                 and not any(character.isspace() for character in address))
    except ValueError:
        valid = False
    if not valid or len(address) > WEBSITE_MAX_LENGTH:
        raise EndorsementError(_("Enter the website's address, like https://example.org."),
                               field="website")
    return address


def approve(endorsement: Endorsement) -> None:
    if not endorsement.is_pending:
        return
    endorsement.status = EndorsementStatus.approved
    endorsement.approved_at = utcnow()
    record("endorsement.approve", _target(endorsement), _statement_target(endorsement))
    db.session.commit()


def remove(endorsement: Endorsement) -> None:
    """Refuse a pending endorsement, or take an approved one off: the row is deleted."""
    target, statement_target = _target(endorsement), _statement_target(endorsement)
    db.session.delete(endorsement)
    record("endorsement.remove", target, statement_target)
    db.session.commit()


def erase_contact(endorsement: Endorsement, reason: str, actor=None) -> None:
    """Forget the contact address (the organisation's endorsement stays); caller commits."""
    endorsement.contact_email = None
    record("endorsement.erase_contact", _target(endorsement), reason, actor=actor)


def get_endorsement(endorsement_id: int) -> Endorsement:
    return db.get_or_404(Endorsement, endorsement_id)


def approved_endorsements(statement_id: int, limit: int | None = None) -> list[Endorsement]:
    """In the order of their names."""
    query = (select(Endorsement)
             .where(Endorsement.statement_id == statement_id,
                    Endorsement.status == EndorsementStatus.approved)
             .order_by(Endorsement.name_key).limit(limit))
    return list(db.session.scalars(query))


def approved_count(statement_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Endorsement).where(
        Endorsement.statement_id == statement_id,
        Endorsement.status == EndorsementStatus.approved,
    ))


def all_endorsements(statement_id: int) -> list[Endorsement]:
    """For the dashboard: waiting ones first, then by name."""
    return list(db.session.scalars(
        select(Endorsement).where(Endorsement.statement_id == statement_id)
        .order_by((Endorsement.status == EndorsementStatus.pending).desc(), Endorsement.name_key)
    ))


def endorsements_with_contact(index: str) -> list[Endorsement]:
    """Endorsements whose contact address has the blind index `index` (privacy look-ups)."""
    return list(db.session.scalars(
        select(Endorsement).where(Endorsement.contact_email_index == index)
        .order_by(Endorsement.id)
    ))


def public_logo(endorsement_id: int, digest: str) -> bytes | None:
    """An approved endorsement's logo, when `digest` is that of the current one."""
    endorsement = db.session.scalar(
        select(Endorsement).options(undefer(Endorsement.logo_png)).where(
            Endorsement.id == endorsement_id,
            Endorsement.status == EndorsementStatus.approved,
            Endorsement.logo_digest == digest,
        )
    )
    return endorsement.logo_png if endorsement is not None else None


def _target(endorsement: Endorsement) -> str:
    return f"endorsement:{endorsement.id}"


def _statement_target(endorsement: Endorsement) -> str:
    return f"statement:{endorsement.statement.slug}: {endorsement.name}"
