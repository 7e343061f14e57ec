"""The signed confirm and withdraw links emailed to each signatory."""
import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from campaign.common.emails import normalise_email
from campaign.common.errors import DomainError
from campaign.common.urls import absolute_url
from campaign.extensions import db
from campaign.signatures.models import Signature
from campaign.statements.models import Statement


class InvalidLink(DomainError):
    """A confirm or withdraw link that is tampered with, expired, or for another statement."""


_LINK_PURPOSES = ("confirm", "withdraw")


def link_token(signature: Signature, purpose: str) -> str:
    """A signed token naming the signature and bound to its email, so it dies with erasure."""
    return _serializer(purpose).dumps([signature.id, _email_fingerprint(signature)])


def signature_from_link(statement: Statement, token: str, purpose: str) -> Signature | None:
    """The signature a link is for, or None when it has since been withdrawn or removed.

    Confirm links expire after CONFIRMATION_MAX_AGE_DAYS; withdraw links never do, since
    every email carries one and a person may want out years later.
    """
    max_age = None
    if purpose == "confirm":
        max_age = current_app.config["CONFIRMATION_MAX_AGE_DAYS"] * 24 * 3600
    try:
        signature_id, fingerprint = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidLink(
            _("This link has expired. Sign again, or ask for a new link from the statement page.")
        ) from error
    except (BadSignature, TypeError, ValueError) as error:
        raise InvalidLink(
            _("This link is not valid. Check that you copied the whole link from the email.")
        ) from error
    signature = db.session.get(Signature, signature_id)
    if signature is not None and signature.statement_id != statement.id:
        raise InvalidLink(_("This link is for another statement."))
    if signature is None or signature.email is None:
        return None
    return signature if hmac.compare_digest(fingerprint, _email_fingerprint(signature)) else None


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in _LINK_PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"signature-{purpose}")


def signed_link(signature: Signature, purpose: str, slug: str | None = None) -> str:
    """The full address of the signature's confirm or withdraw page (on `slug`, its
    statement's, when the caller has it at hand: the statement is then not read)."""
    return absolute_url(
        f"signatures.{purpose}", slug=slug or signature.statement.slug,
        token=link_token(signature, purpose),
    )


def _email_fingerprint(signature: Signature) -> str:
    """Keyed, so a link seen in a log does not let anyone test guessed addresses against it."""
    key = current_app.config["SECRET_KEY"].encode()
    email = normalise_email(signature.email or "").encode()
    return hmac.new(key, b"signature-link:" + email, hashlib.sha256).hexdigest()[:16]
