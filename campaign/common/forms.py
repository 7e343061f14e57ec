"""What every public and organizer form shares: the email field, consent and the honeypot,
and showing a domain error under the field it concerns."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, EmailField, StringField
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
        cls.consent = BooleanField(validators=[ConsentGiven()])
        #: The honeypot: hidden from people, filled in by bots that fill every field.
        cls.website = StringField(_l("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent.label.text = Markup(self.consent_text) % {"url": url_for("privacy.notice")}

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.website.data)


#: The consent text for email updates; its version is UPDATES_CONSENT_VERSION, kept with each
#: supporter who ticks it.
UPDATES_CONSENT_TEXT = _l("We will email you news and calls to action about this campaign, "
                          "a few times a month at most. Every email has a one-click unsubscribe "
                          "link, and we never pass your address on.")


def updates_choice() -> BooleanField:
    """The separate, unticked "Email me updates" box of the signing and registration forms."""
    return BooleanField(_l("Email me updates about this campaign"), default=False,
                        description=UPDATES_CONSENT_TEXT)


def show_error(form, error: DomainError) -> None:
    """Put a domain error under the field it concerns, or under the form's first field."""
    field = (form[error.field] if error.field and error.field in form
             else next(f for f in form if f.name != "csrf_token"))
    field.errors = [*field.errors, error.message]
