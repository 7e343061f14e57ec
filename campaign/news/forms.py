"""The editor's form for a post: the briefing's parts as fields, its links as checkboxes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from campaign.common.text import NoControlCharacters, strip_filter
from campaign.news import service
from campaign.news.importer import (
    MAX_IMPORT_BYTES, PostText, PostTextError, parse_quotations, parse_takeaways, quotations_as_text,
    takeaways_as_text,
)
from campaign.statements.service import SLUG_MAX_LENGTH

#: The takeaways and quotations boxes hold at most this many characters.
LIST_MAX_LENGTH = 25_000


def _too_long(most: int):
    return Length(max=most, message=_l("Use at most %(max)d characters here."))


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes; a value that is not among them is an error, not a 500."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PostForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter a title.")), _too_long(service.TITLE_MAX_LENGTH),
                    NoControlCharacters()])
    slug = StringField(
        _l("Web address"), filters=[strip_filter],
        validators=[Optional(), _too_long(SLUG_MAX_LENGTH), NoControlCharacters()])
    summary = TextAreaField(
        _l("Summary"), filters=[strip_filter],
        validators=[_too_long(service.SUMMARY_MAX_LENGTH), NoControlCharacters(multiline=True)])
    body = TextAreaField(
        _l("Text"), filters=[strip_filter],
        validators=[_too_long(service.BODY_MAX_LENGTH), NoControlCharacters(multiline=True)])
    takeaways = TextAreaField(
        _l("Key takeaways"), filters=[strip_filter],
        validators=[_too_long(LIST_MAX_LENGTH), NoControlCharacters(multiline=True)])
    quotations = TextAreaField(
        _l("Quotations"), filters=[strip_filter],
        validators=[_too_long(LIST_MAX_LENGTH), NoControlCharacters(multiline=True)])
    source_title = StringField(
        _l("Source: title"), filters=[strip_filter],
        validators=[_too_long(service.SOURCE_TITLE_MAX_LENGTH), NoControlCharacters()])
    source_publisher = StringField(
        _l("Source: publisher"), filters=[strip_filter],
        validators=[_too_long(service.PUBLISHER_MAX_LENGTH), NoControlCharacters()])
    source_date = DateField(_l("Source: date"), validators=[Optional()])
    source_url = StringField(
        _l("Source: link"), filters=[strip_filter],
        validators=[_too_long(service.URL_MAX_LENGTH), NoControlCharacters()])
    statements = CheckboxList(_l("Statements it is about"), choices=[])
    events = CheckboxList(_l("Events it is about"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.statements.choices = service.statement_choices()
        self.events.choices = service.event_choices()

    def validate_quotations(self, field):
        """Said with the other fields' errors, before the post is saved (`post_text`)."""
        try:
            parse_quotations(field.data or "")
        except PostTextError as error:
            raise ValidationError(error.message) from None

    @classmethod
    def for_post(cls, post) -> "PostForm":
        """The form filled in with the post as it is saved."""
        text = service.as_text(post)
        return cls(data={
            **vars(text),
            "takeaways": takeaways_as_text(text.takeaways),
            "quotations": quotations_as_text(text.quotations),
        })

    def post_text(self) -> PostText:
        """The fields as `create_post` / `update_post` take them (raises on a bad list line)."""
        return PostText(
            title=self.title.data or "", slug=self.slug.data or "",
            summary=self.summary.data or "", body=self.body.data or "",
            takeaways=parse_takeaways(self.takeaways.data or ""),
            quotations=parse_quotations(self.quotations.data or ""),
            source_title=self.source_title.data or "",
            source_publisher=self.source_publisher.data or "",
            source_date=self.source_date.data, source_url=self.source_url.data or "",
            statements=list(self.statements.data or []), events=list(self.events.data or []),
        )


class PostImportForm(FlaskForm):
    file = FileField(
        _l("Markdown file"),
        validators=[FileRequired(_l("Choose a Markdown file.")),
                    FileSize(MAX_IMPORT_BYTES, message=_l("The file is too large."))])
    publish = BooleanField(_l("Publish at once"))
