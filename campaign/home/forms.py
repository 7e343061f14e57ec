"""The owners' settings form: name, tagline, accent colour, featured statement and logo."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length

from campaign.common.text import HasLetter, NoControlCharacters, strip_filter
from campaign.common.logo import MAX_UPLOAD_BYTES, MAX_UPLOAD_SIDE
from campaign.home.models import SiteSettings
from campaign.home.service import Identity
from campaign.statements.models import Statement

NAME_MAX_LENGTH = 200
TAGLINE_MAX_LENGTH = 150
#: The choice that leaves the featured statement to be the newest published one.
NEWEST = 0


class SettingsForm(FlaskForm):
    name = StringField(
        _l("Campaign name"), filters=[strip_filter],
        validators=[Length(max=NAME_MAX_LENGTH), NoControlCharacters(),
                    HasLetter(_l("Enter a name with at least one letter, or leave it empty."))],
    )
    tagline = StringField(
        _l("Tagline"), filters=[strip_filter],
        validators=[Length(max=TAGLINE_MAX_LENGTH), NoControlCharacters()],
    )
    accent_colour = StringField(
        _l("Accent colour"), filters=[strip_filter],
        validators=[Length(max=20), NoControlCharacters()],
    )
    featured_statement_id = SelectField(_l("Featured statement"), coerce=int)
    logo = FileField(_l("Logo"), description=_l(
        "PNG, JPEG or WebP, at most %(size)s MB and %(side)s\u00a0×\u00a0%(side)s pixels. "
        "Leave it empty to keep the current logo.",
        size=MAX_UPLOAD_BYTES // 1_000_000, side=MAX_UPLOAD_SIDE))

    @classmethod
    def for_site(cls, settings: SiteSettings, statements: list[Statement]) -> "SettingsForm":
        """The form filled from the stored settings (or from what was sent), offering
        `statements` to feature."""
        form = cls(obj=settings)
        form.featured_statement_id.choices = [
            (NEWEST, _l("The newest published statement")),
            *((statement.id, statement.title) for statement in statements),
        ]
        return form

    def identity(self) -> Identity:
        return Identity(
            name=self.name.data or "",
            tagline=self.tagline.data or "",
            accent_colour=self.accent_colour.data or "",
            featured_statement_id=self.featured_statement_id.data or None,
        )

    def logo_upload(self) -> bytes | None:
        """The uploaded file's bytes; None when no file was chosen."""
        upload = self.logo.data
        return upload.read() if upload else None
