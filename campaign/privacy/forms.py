from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from campaign.common.forms import email_field


class PersonForm(FlaskForm):
    """Whose data: one email address, matched in its normal form."""

    email = email_field(required=_l("Enter the person's email address."),
                        invalid=_l("Enter a valid email address."))


class EraseForm(PersonForm):
    """Whose data to erase; without `confirm` (the button of the page that asks) it only asks."""

    confirm = BooleanField()
