from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from campaign.common.forms import email_field


class PersonForm(FlaskForm):
    """Whose data: one email address, matched in its normal form."""

    email = email_field(required=_l("Enter the person's email address."),
                        invalid=_l("Enter a valid email address."))


class EraseForm(PersonForm):
    confirm = BooleanField(
        _l("I understand that this erases their data for good"),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )
