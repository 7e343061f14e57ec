"""The emails a signatory gets about their own signature: the confirmation link, the receipt
(with the withdraw link), and "you have already signed". Each is written in the language the
person signed in and stored for the mail sender to render (`mail.service.enqueue`)."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext as _

from campaign.common.urls import absolute_url
from campaign.mail.service import enqueue
from campaign.signatures.links import signed_link
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement
from campaign.statements.service import SigningTerms
from campaign.statements.translations import in_language


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
