from datetime import timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import (
    BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from campaign.common.text import NoControlCharacters, strip_filter
from campaign.statements.importer import MAX_IMPORT_BYTES
from campaign.statements.service import SLUG_MAX_LENGTH

TEXT_MAX_LENGTH = 20_000
DEMAND_MAX_LENGTH = 5_000
SIGNATURE_GOAL_MAX = 1_000_000_000


class StatementForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter a title.")), Length(max=300), NoControlCharacters()],
    )
    slug = StringField(
        _l("Web address"), filters=[strip_filter],
        validators=[Optional(), Length(max=SLUG_MAX_LENGTH), NoControlCharacters()],
    )
    preamble = TextAreaField(
        _l("Preamble"), filters=[strip_filter],
        validators=[Length(max=TEXT_MAX_LENGTH), NoControlCharacters(multiline=True)],
    )
    closing = TextAreaField(
        _l("Closing text"), filters=[strip_filter],
        validators=[Length(max=TEXT_MAX_LENGTH), NoControlCharacters(multiline=True)],
    )
    signature_goal = IntegerField(
        _l("Signature goal"),
        validators=[Optional(), NumberRange(min=1, max=SIGNATURE_GOAL_MAX,
                                            message=_l("Enter a whole number from 1 to 1,000,000,000."))],
    )
    requires_confirmation = BooleanField(_l("Signatures need email confirmation"), default=True)
    opens_at = DateTimeLocalField(_l("Signing opens (UTC)"), validators=[Optional()],
                                  format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Signing closes (UTC)"), validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")

    def statement_values(self) -> dict:
        """The fields as `create_statement`/`update_statement` take them (times in UTC)."""
        values = {name: self[name].data or "" for name in ("title", "slug", "preamble", "closing")}
        values["signature_goal"] = self.signature_goal.data
        values["requires_confirmation"] = self.requires_confirmation.data
        for name in ("opens_at", "closes_at"):
            moment = self[name].data
            values[name] = moment.replace(tzinfo=timezone.utc) if moment else None
        return values


class DemandForm(FlaskForm):
    heading = StringField(
        _l("Heading"), filters=[strip_filter],
        validators=[Length(max=300), NoControlCharacters()],
    )
    body = TextAreaField(
        _l("Text"), filters=[strip_filter],
        validators=[Length(max=DEMAND_MAX_LENGTH), NoControlCharacters(multiline=True)],
    )

    def validate_body(self, field):
        if not (field.data or self.heading.data):
            raise ValidationError(_l("Give the demand a heading, a text, or both."))


class ImportForm(FlaskForm):
    text = TextAreaField(
        _l("Statement text"), validators=[Length(max=MAX_IMPORT_BYTES)],
    )
    file = FileField(
        _l("Or upload a text file"),
        validators=[FileSize(MAX_IMPORT_BYTES, message=_l("The file is too large."))],
    )
    slug = StringField(
        _l("Web address"), filters=[strip_filter],
        validators=[Optional(), Length(max=SLUG_MAX_LENGTH), NoControlCharacters()],
    )
    publish = BooleanField(_l("Publish at once"))

    def validate_text(self, field):
        if not (field.data or "").strip() and not self.file.data:
            raise ValidationError(_l("Paste the statement text or choose a file."))


class TranslationForm(FlaskForm):
    """A translation of the statement, pasted in the import's plain-text shape."""

    language = SelectField(_l("Language"), validate_choice=False)
    text = TextAreaField(
        _l("Translated text"),
        validators=[DataRequired(_l("Paste the translated text.")), Length(max=MAX_IMPORT_BYTES)],
    )

    @classmethod
    def offering(cls, languages: list[tuple[str, str]]) -> "TranslationForm":
        form = cls()
        form.language.choices = languages
        return form
