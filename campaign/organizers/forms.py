from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from campaign.common.text import NoControlCharacters, strip_filter


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter your email address.")), Length(max=320), NoControlCharacters()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=1000)]
    )
    submit = SubmitField(_l("Log in"))
