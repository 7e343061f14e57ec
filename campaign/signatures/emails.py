"""The emails a signatory gets about their own signature: the confirmation link, the receipt
(with the withdraw link), and "you have already signed". Each is written in the language the
person signed in and stored for the mail sender to render (`mail.service.enqueue`).

A new signature's email is written by the mail sender (`tell_new_signatories`), not by the
request that stored it: the signing request writes only what is counted with the signature.
The sender announces a signature confirmed as it arrived there too (its webhooks, a milestone
its count reached), so that a signing request reads nothing it does not need.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update

from campaign.common.urls import absolute_url
from campaign.extensions import db, passing_locked_rows
from campaign.mail.service import enqueue, for_visitors
from campaign.signatures.links import signed_link
from campaign.signatures.models import Signature, SignatureStatus
from campaign.signatures.milestones import announce_crossed
from campaign.signatures.signals import signed, status_changed
from campaign.statements.models import Statement
from campaign.statements.service import SigningTerms
from campaign.statements.translations import in_language


def tell_new_signatories() -> int:
    """Write the emails of up to MAIL_BATCH_SIZE new signatures, let the supporters keep their
    record of each person (`signed`), and announce those confirmed as they arrived
    (`status_changed`: webhooks; then the milestones their count reached); the mail sender
    runs this every round. Returns how many signatures it took (0: none was waiting).

    Each signature is taken by one sender: SKIP LOCKED on PostgreSQL, and on both databases
    the UPDATE that clears `email_due` decides, in the transaction that writes the emails. A
    signature erased before its turn (no address left) is told nothing; one no longer pending
    or confirmed (hidden already) gets no email.
    """
    waiting = (select(Signature.id).where(Signature.email_due.is_(True)).order_by(Signature.id)
               .limit(_round_size()))
    candidate_ids = db.session.scalars(passing_locked_rows(waiting)).all()
    if not candidate_ids:
        db.session.commit()
        return 0
    taken = db.session.scalars(
        update(Signature)
        .where(Signature.id.in_(candidate_ids), Signature.email_due.is_(True))
        # Telling the signatory changes nothing about the signature (`updated_at` stays).
        .values(email_due=False, updated_at=Signature.updated_at)
        .returning(Signature.id)
        .execution_options(synchronize_session=False)
    ).all()
    signatures = db.session.scalars(
        select(Signature).where(Signature.id.in_(taken)).order_by(Signature.id)
        .execution_options(populate_existing=True)
    ).all()
    announced_in = {}
    with for_visitors(always=True):
        for signature in signatures:
            statement = db.session.get(Statement, signature.statement_id)
            if signature.confirmed_on_arrival:
                status_changed.send(signature, before=None)
                announced_in[statement.id] = statement
            if signature.email is None:
                continue
            if signature.status is SignatureStatus.pending:
                send_confirmation(signature, signature.email, statement)
            elif signature.status is SignatureStatus.confirmed:
                send_receipt(signature, signature.email, statement)
            signed.send(statement, email=signature.email, name=signature.name,
                        wants_updates=signature.wants_updates)
    db.session.commit()
    for statement in announced_in.values():
        announce_crossed(statement)
    return len(candidate_ids)


#: How many new signatures a round takes on SQLite, where one transaction writes at a time: the
#: round has the write lock while it writes their emails, a few milliseconds each, and every
#: signer waits for it.
_ROUND_ON_SQLITE = 8


def _round_size() -> int:
    size = current_app.config["MAIL_BATCH_SIZE"]
    return min(size, _ROUND_ON_SQLITE) if db.engine.dialect.name == "sqlite" else size


def remind(signature: Signature, to: str, statement: "Statement | SigningTerms") -> None:
    """A pending signature gets its confirmation link again; a standing one, "already signed"."""
    if signature.status is SignatureStatus.pending:
        send_confirmation(signature, to, statement)
    else:
        _email_signatory("already_signed", signature, to, statement)


def send_confirmation(signature: Signature, to: str,
                      statement: "Statement | SigningTerms") -> None:
    _email_signatory("confirmation", signature, to, statement)


def send_receipt(signature: Signature, to: str, statement: "Statement | SigningTerms") -> None:
    """Counted at once, with no confirmation step: the receipt carries the withdraw link."""
    _email_signatory("receipt", signature, to, statement)


@dataclass(frozen=True)
class _SignatoryEmail:
    kind: str
    template: str
    subject: Callable[[str], str]
    #: Whether it carries the confirm link (and how long that link works).
    confirms: bool = False


_SIGNATORY_EMAILS = {
    "confirmation": _SignatoryEmail(
        "signature_confirmation", "signature_confirm", confirms=True,
        subject=lambda title: _("Confirm your signature: %(title)s", title=title)),
    "receipt": _SignatoryEmail(
        "signature_receipt", "signature_receipt",
        subject=lambda title: _("Thank you for signing: %(title)s", title=title)),
    "already_signed": _SignatoryEmail(
        "signature_already_signed", "signature_already_signed",
        subject=lambda title: _("You have already signed: %(title)s", title=title)),
}


def _email_signatory(which: str, signature: Signature, to: str,
                     statement: "Statement | SigningTerms") -> None:
    """One of the emails a signatory gets about their signature, in the language they signed in."""
    email = _SIGNATORY_EMAILS[which]
    with force_locale(signature.language):
        context = _email_context(signature, statement)
        if email.confirms:
            context.update(confirm_url=signed_link(signature, "confirm", statement.slug),
                           max_age_days=current_app.config["CONFIRMATION_MAX_AGE_DAYS"])
        enqueue(email.kind, to, email.subject(context["statement_title"]), email.template,
                **context)


def _email_context(signature: Signature, statement: "Statement | SigningTerms") -> dict:
    """Plain values only, so the mail sender renders the email (`mail.service.enqueue`), with
    the statement's title in the language the person signed in (its translation is read only
    when that is not the statement's own); `statement` is what the daily per-recipient limit
    counts against."""
    title = statement.title
    if signature.language and signature.language != statement.language:
        title = in_language(signature.statement, signature.language).title
    return {
        "statement": statement,
        "name": signature.name,
        "statement_title": title,
        "statement_url": absolute_url("signatures.statement_page", slug=statement.slug),
        "withdraw_url": signed_link(signature, "withdraw", statement.slug),
    }
