from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from campaign.common.sources import SourceCode
from campaign.common.text import NoControlCharacters, strip_filter
from campaign.updates.models import RegistrantGroup, UpdateStatus
from campaign.updates.service import BODY_MAX, SUBJECT_MAX

GROUP_LABELS = {
    RegistrantGroup.all: _l("All registrants (not those who cancelled)"),
    RegistrantGroup.confirmed: _l("Confirmed"),
    RegistrantGroup.waiting: _l("On the waiting list"),
    RegistrantGroup.checked_in: _l("Checked in"),
}


class UpdateForm(FlaskForm):
    audience = SelectField(_l("Audience"), validate_choice=True, choices=[])
    registrant_group = SelectField(
        _l("Registrants"), default=RegistrantGroup.all.value, validate_choice=True,
        choices=[SelectChoice(group.value, label) for group, label in GROUP_LABELS.items()])
    country = StringField(
        _l("Only signatories from this country"), filters=[strip_filter],
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$",
                                       message=_l("Enter a two-letter country code, like UA."))])
    source = StringField(
        _l("Only people who came by this link code"), filters=[strip_filter],
        validators=[Optional(), SourceCode()])
    subject = StringField(
        _l("Subject"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter a subject.")),
                    Length(max=SUBJECT_MAX, message=_l("The subject is too long.")),
                    NoControlCharacters()])
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Enter the message.")),
                    Length(max=BODY_MAX, message=_l("The message is too long.")),
                    NoControlCharacters(multiline=True)])

    def with_audiences(self, choices: list[tuple[str, str]]) -> "UpdateForm":
        self.audience.choices = [SelectChoice(value, label) for value, label in choices]
        return self


class ScheduleForm(FlaskForm):
    send_at = DateTimeLocalField(_l("Send at (UTC)"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])


STATUS_LABELS = {
    UpdateStatus.draft: _l("Draft"),
    UpdateStatus.scheduled: _l("Scheduled"),
    UpdateStatus.sending: _l("Sending"),
    UpdateStatus.sent: _l("Sent"),
    UpdateStatus.stopped: _l("Stopped"),
}
