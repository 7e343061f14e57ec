from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, Length

from campaign.common.text import NoControlCharacters, strip_filter


class PersonForm(FlaskForm):
    """Whose data: one email address, matched in its normal form."""

    email = EmailField(
        _l("Email"), filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter the person's email address.")),
            Length(max=320, message=_l("The email address is too long.")),
            NoControlCharacters(),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )


class EraseForm(PersonForm):
    confirm = BooleanField(
        _l("I understand that this erases their data for good"),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )
