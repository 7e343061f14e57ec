"""The endorsement forms: the public one (with consent and the honeypot) and the organizers'."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.fields.choices import SelectChoice

from campaign.common.forms import (
    EMAIL_MAX_LENGTH, ConsentAndHoneypot, ValidEmail, email_field,
)
from campaign.common.logo import MAX_UPLOAD_BYTES, MAX_UPLOAD_SIDE
from campaign.common.text import (
    NAME_MAX_LENGTH, NAME_NEEDS_A_LETTER, HasLetter, NoControlCharacters, strip_filter,
)
from campaign.endorsements.models import WEBSITE_MAX_LENGTH, OrganisationKind
from campaign.endorsements.service import OrganisationDetails

KIND_LABELS = {
    OrganisationKind.trade_union: _l("Trade union"),
    OrganisationKind.political_party: _l("Political party"),
    OrganisationKind.ngo: _l("Charity or NGO"),
    OrganisationKind.community_group: _l("Community group"),
    OrganisationKind.student_group: _l("Student group"),
    OrganisationKind.faith_group: _l("Faith group"),
    OrganisationKind.business: _l("Business"),
    OrganisationKind.other: _l("Other organisation"),
}


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Organisation"), filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter the organisation's name.")),
            Length(max=NAME_MAX_LENGTH,
                   message=_l("The name must be %(max)d characters or fewer.")),
            NoControlCharacters(),
            HasLetter(NAME_NEEDS_A_LETTER),
        ],
    )
    kind = SelectField(
        _l("Kind of organisation"), validate_choice=True,
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=OrganisationKind.trade_union.value,
    )
    web_address = StringField(
        _l("Website"), filters=[strip_filter],
        validators=[Optional(), Length(max=WEBSITE_MAX_LENGTH), NoControlCharacters()],
    )
    logo = FileField(_l("Logo"), description=_l(
        "Optional. PNG, JPEG or WebP, at most %(size)s MB and %(side)s\u00a0×\u00a0%(side)s "
        "pixels.", size=MAX_UPLOAD_BYTES // 1_000_000, side=MAX_UPLOAD_SIDE))
    contact_email = EmailField(
        _l("Contact email"), filters=[strip_filter],
        description=_l("Kept private: only the organizers see it."),
        validators=[
            Optional(),
            Length(max=EMAIL_MAX_LENGTH, message=_l("The email address is too long.")),
            NoControlCharacters(),
            ValidEmail(),
        ],
    )

    def details(self) -> OrganisationDetails:
        upload = self.logo.data
        return OrganisationDetails(
            name=self.name.data,
            kind=OrganisationKind(self.kind.data),
            website=self.web_address.data or "",
            contact_email=self.contact_email.data or "",
            logo=upload.read() if upload else None,
        )


class EndorsementForm(ConsentAndHoneypot, OrganisationForm):
    """The public form: a contact address is needed, so the organizers can check it is real."""

    consent_text = _l('I may speak for this organisation, and agree that the contact address '
                      'is kept as described in the <a href="%(url)s">privacy notice</a>.')
    consent_required = _l("Tick the box to confirm, or the endorsement cannot be kept.")

    contact_email = email_field(
        _l("Contact email"), required=_l("Enter an address the organizers can write to."),
        description=_l("Kept private: only the organizers see it, to check the endorsement."),
    )
