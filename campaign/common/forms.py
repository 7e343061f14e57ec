"""What every public and organizer form shares: the email field, consent and the honeypot,
the signed form token of the public forms, and showing a domain error under the field it
concerns."""
import threading
import time

from flask import current_app, url_for
from flask_babel import LazyString, lazy_gettext as _l
from itsdangerous import BadData, TimestampSigner
from markupsafe import Markup
from wtforms import BooleanField, EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from campaign.common.emails import InvalidEmail, validated_email
from campaign.common.errors import DomainError
from campaign.common.text import NoControlCharacters, strip_filter

EMAIL_MAX_LENGTH = 320


INVALID_EMAIL = _l("Enter an email address in the right format, like name@example.org.")


class ValidEmail:
    """WTForms validator: an address in the right shape, kept in the form it will be stored in."""

    def __init__(self, message=None):
        self.message = message or INVALID_EMAIL

    def __call__(self, form, field):
        try:
            field.data = validated_email(field.data)
        except InvalidEmail as error:
            raise ValidationError(self.message) from error


def email_field(label=_l("Email"), required=_l("Enter your email address."), invalid=None,
                **kwargs) -> EmailField:
    """A required email address: trimmed, bounded, no control characters, the right shape."""
    return EmailField(
        label, filters=[strip_filter],
        validators=[
            DataRequired(required),
            Length(max=EMAIL_MAX_LENGTH, message=_l("The email address is too long.")),
            NoControlCharacters(),
            ValidEmail(invalid),
        ],
        **kwargs,
    )


class ConsentGiven(DataRequired):
    """The consent box is ticked; the message is the form's `consent_required`."""

    def __call__(self, form, field):
        if not field.data:
            field.errors[:] = []
            raise StopValidation(form.consent_required)


class ConsentAndHoneypot:
    """Mixin for public forms that keep personal data: a consent box that must be ticked,
    labelled with `consent_text` (linking the privacy notice as %(url)s), and a honeypot
    field hidden from people that bots fill in.

    The two fields are added to each form class after its own fields, so the consent box
    and its error come last, after everything it consents to.
    """

    consent_text: str
    consent_required: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.consent = BooleanField("", validators=[ConsentGiven()])
        #: The honeypot: hidden from people, filled in by bots that fill every field.
        cls.website = StringField(_l("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built when the label is shown, never for a POST that is accepted.
        self.consent.label.text = LazyString(
            lambda: Markup(self.consent_text) % {"url": url_for("privacy.notice")})

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.website.data)


#: The consent text for email updates; its version is UPDATES_CONSENT_VERSION, kept with each
#: supporter who ticks it.
UPDATES_CONSENT_TEXT = _l("A few emails a month at most, each with a one-click unsubscribe; "
                          "we never pass your address on.")


def updates_choice() -> BooleanField:
    """The separate, unticked "Email me updates" box of the signing and registration forms."""
    return BooleanField(_l("Email me updates about this campaign"), default=False,
                        description=UPDATES_CONSENT_TEXT)
#: Seconds for which every visitor is given the same form token: a page kept by a shared
#: cache carries one token, and it stays valid for PUBLIC_FORM_TOKEN_MAX_AGE after that.
FORM_TOKEN_STEP = 300
FORM_EXPIRED = _l("This form has expired. Check your details and press the button again.")
_FORM_TOKEN_PURPOSE = b"public-form"
_KEEPING_TOKENS = threading.Lock()


class _SteppedSigner(TimestampSigner):
    """Timestamps rounded down to FORM_TOKEN_STEP, so everyone in one step gets one token."""

    def get_timestamp(self) -> int:
        return int(time.time()) // FORM_TOKEN_STEP * FORM_TOKEN_STEP


def _form_token_signer() -> _SteppedSigner:
    return _SteppedSigner(current_app.config["SECRET_KEY"], salt="public-form-token")


def public_form_token() -> str:
    """The token every public form carries now: signed and dated, the same for everyone."""
    return _form_token_signer().sign(_FORM_TOKEN_PURPOSE).decode()


def is_valid_form_token(token: str | None) -> bool:
    """Signed by this site and younger than PUBLIC_FORM_TOKEN_MAX_AGE.

    Every visitor sends the same few tokens, so each worker checks a token's signature once
    and keeps when it was signed (`_signed_at`); after that only its age is checked.
    """
    signer = _form_token_signer()
    signed_at = _signed_at(signer, token or "")
    if signed_at is None:
        return False
    age = signer.get_timestamp() - signed_at
    return 0 <= age <= current_app.config["PUBLIC_FORM_TOKEN_MAX_AGE"]


def _signed_at(signer: _SteppedSigner, token: str) -> int | None:
    """When a genuine form token was signed (seconds), or None when it is not one. Tokens past
    their age are let go as a new one is kept, so a worker keeps only the few still valid; the
    threads that read the tokens take no lock, the rare one that adds one does."""
    verified = current_app.extensions.setdefault("verified_form_tokens", {})
    signed_at = verified.get(token)
    if signed_at is None:
        try:
            value, signed = signer.unsign(token, return_timestamp=True)
        except BadData:
            return None
        if value != _FORM_TOKEN_PURPOSE:
            return None
        signed_at = int(signed.timestamp())
        oldest = signer.get_timestamp() - current_app.config["PUBLIC_FORM_TOKEN_MAX_AGE"]
        with _KEEPING_TOKENS:
            for stale in [known for known, at in verified.items() if at < oldest]:
                del verified[stale]
            verified[token] = signed_at
    return signed_at


class FormTokenField(HiddenField):
    """Always renders a fresh token, so a form sent back with an expired one works next time."""

    def _value(self) -> str:
        return public_form_token()


class SignedFormToken:
    """Mixin for the public forms (signing, registering, asking for a link again): no session
    and no cookie, so the page holding one is the same for every visitor and any cache may
    keep it, and it works inside another site's frame where cookies are blocked.

    Instead of the session's CSRF token it carries a signed, expiring token that is the same
    for everyone (`public_form_token`); the view refuses cross-site POSTs by their Origin and
    Sec-Fetch-Site headers (`web.same_site_posts`). An expired token is a mistake in the form
    like any other: the form comes back as filled in, with a fresh token.
    """

    class Meta:
        csrf = False
        #: False where the form is filled in by a caller known otherwise (the API's key).
        form_token = True

    form_token = FormTokenField("")

    def validate_form_token(self, field):
        """Switched off with the session's token by WTF_CSRF_ENABLED=False (one switch)."""
        wanted = self.meta.form_token and current_app.config.get("WTF_CSRF_ENABLED", True)
        if wanted and not is_valid_form_token(field.data):
            raise ValidationError(FORM_EXPIRED)


def show_error(form, error: DomainError) -> None:
    """Put a domain error under the field it concerns, or under the form's first field."""
    field = (form[error.field] if error.field and error.field in form
             else next(f for f in form if f.name not in ("csrf_token", "form_token")))
    field.errors = [*field.errors, error.message]
