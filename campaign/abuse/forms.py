from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields import enum_choices, enum_coerce
from wtforms.validators import DataRequired, Length, ValidationError

from campaign.abuse.models import Signal


class _UTCTimestamp(HiddenField):
    """An ISO 8601 time with its UTC offset, as the flag on the page carried it."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            try:
                moment = datetime.fromisoformat(valuelist[0])
            except ValueError:
                raise ValueError(_l("That time is not valid.")) from None
            if moment.tzinfo is None:
                raise ValueError(_l("That time is not valid."))
            self.data = moment

    def _value(self):
        return self.data.isoformat() if self.data else ""


class HideBatchForm(FlaskForm):
    """The flagged surge to hide, carried by hidden fields of the flag's button."""

    signal = SelectField(choices=enum_choices(Signal), coerce=enum_coerce(Signal),
                         validators=[DataRequired()])
    value = HiddenField(validators=[DataRequired(), Length(max=320)])
    since = _UTCTimestamp(validators=[DataRequired()])
    until = _UTCTimestamp(validators=[DataRequired()])

    def validate_until(self, field):
        if self.since.data and field.data and self.since.data >= field.data:
            raise ValidationError(_l("That time is not valid."))


class HeldGroupForm(FlaskForm):
    """The held group to approve or hide: the keyed hash of the address its signatures share,
    empty for those whose address is no longer kept. The page that asks first carries it in
    its query string, the POST in a hidden field; CSRFProtect guards every POST."""

    class Meta:
        csrf = False

    address = HiddenField(validators=[Length(max=64)])
