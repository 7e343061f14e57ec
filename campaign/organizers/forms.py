from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from campaign.common.forms import EMAIL_MAX_LENGTH, email_field
from campaign.common.text import NoControlCharacters, strip_filter
from campaign.organizers.models import Role
from campaign.organizers.service import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    Role.viewer: _l("Viewer: reads and exports"),
    Role.editor: _l("Editor: also changes statements and signatures"),
    Role.owner: _l("Owner: also manages organizers"),
}

_ROLE_CHOICES = [SelectChoice(role.name, label) for role, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter your email address.")), Length(max=EMAIL_MAX_LENGTH),
                    NoControlCharacters()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1000)]
    )
    submit = SubmitField(_l("Log in"))


class OrganizerForm(FlaskForm):
    """An owner adds an organizer account."""

    name = StringField(
        _l("Name"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter the organizer's name.")), Length(max=200),
                    NoControlCharacters()],
    )
    email = email_field(required=_l("Enter their email address."),
                        invalid=_l("Enter an email address like name@example.org."))
    role = SelectField(_l("Role"), choices=_ROLE_CHOICES, default=Role.editor.name)
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter a password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=1000,
                           message=_l("The password must be %(min)d to %(max)d characters."))],
    )


class RoleForm(FlaskForm):
    """An owner gives an organizer another role."""

    role = SelectField(_l("Role"), choices=_ROLE_CHOICES)


class LanguageForm(FlaskForm):
    """An organizer chooses the language the dashboard speaks to them."""

    language = SelectField(_l("Language"), validate_choice=False)
    submit = SubmitField(_l("Save"))

    @classmethod
    def offering(cls, languages: list[tuple[str, str]], current: str) -> "LanguageForm":
        form = cls(data={"language": current})
        form.language.choices = languages
        return form
