from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from campaign.common.forms import UPDATES_CONSENT_TEXT, ConsentAndHoneypot, email_field
from campaign.common.text import NAME_MAX_LENGTH, NoControlCharacters, strip_filter


class SubscribeForm(ConsentAndHoneypot, FlaskForm):
    consent_text = UPDATES_CONSENT_TEXT + " " + _l(
        'Tick to agree, as described in the <a href="%(url)s">privacy notice</a>.')
    consent_required = _l("Tick the box to agree, or we cannot email you updates.")

    name = StringField(
        _l("Name"), filters=[strip_filter],
        validators=[Optional(),
                    Length(max=NAME_MAX_LENGTH,
                           message=_l("Your name must be %(max)d characters or fewer.")),
                    NoControlCharacters()],
    )
    email = email_field()
