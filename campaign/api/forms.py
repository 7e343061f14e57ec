from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from campaign.api.models import KEY_NAME_MAX_LENGTH, ApiScope
from campaign.common.text import NoControlCharacters, strip_filter

SCOPE_LABELS = {
    ApiScope.read: _l("Read: statements, events, people, signatures and registrations"),
    ApiScope.write: _l("Write: read, and record signatures and registrations"),
}


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip_filter],
        validators=[DataRequired(_l("Name the key after who will use it.")),
                    Length(max=KEY_NAME_MAX_LENGTH), NoControlCharacters()],
    )
    scope = SelectField(_l("Scope"), default=ApiScope.read.value, validate_choice=True,
                        choices=[SelectChoice(scope.value, label)
                                 for scope, label in SCOPE_LABELS.items()])
