from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.common.text import NoControlCharacters, strip_filter
from campaign.webhooks.models import URL_MAX_LENGTH, WebhookEvent

EVENT_LABELS = {
    WebhookEvent.signature_confirmed: _l("A signature is confirmed"),
    WebhookEvent.signature_withdrawn: _l("A signature is withdrawn"),
    WebhookEvent.registration_confirmed: _l("A registration is confirmed"),
    WebhookEvent.registration_cancelled: _l("A registration is cancelled"),
    WebhookEvent.waitlist_promoted: _l("Someone gets a place from the waiting list"),
    WebhookEvent.person_unsubscribed: _l("Someone unsubscribes from updates"),
}


class WebhookForm(FlaskForm):
    url = URLField(
        _l("Endpoint address"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter the address deliveries go to.")),
                    Length(max=URL_MAX_LENGTH), NoControlCharacters()],
    )
    events = SelectMultipleField(
        _l("Events"), validate_choice=True,
        choices=[SelectChoice(event.value, label) for event, label in EVENT_LABELS.items()],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one event."))],
    )
    secret = StringField(_l("Signing secret (optional)"), filters=[strip_filter],
                         validators=[Optional(), Length(min=16, max=200), NoControlCharacters()])
