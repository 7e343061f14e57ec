from functools import lru_cache

from babel import Locale
from flask import request
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.widgets import Select, html_params
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from campaign.common.text import (
    AFFILIATION_MAX_LENGTH, AFFILIATION_NEEDS_A_LETTER, NAME_MAX_LENGTH, NAME_NEEDS_A_LETTER,
    SOURCE_MAX_LENGTH, HasLetter, NoControlCharacters, clean, strip_filter,
)
from campaign.common.forms import (
    ConsentAndHoneypot, SignedFormToken, email_field, updates_choice,
)
from campaign.common.sources import CameFrom
from campaign.signatures.models import HoldReason, SignatureStatus

COMMENT_MAX = 1000
#: A pasted or uploaded batch of paper signatures larger than this is refused.
PAPER_MAX_BYTES = 1_000_000
#: Where the request keeps its signature form once checked (see `SignatureForm.submitted`).
_SUBMITTED = "campaign.submitted_signature_form"

#: CLDR territory codes that are not ISO 3166-1 countries (regions, unions, pseudo-locales,
#: and codes reserved only for other standards).
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@lru_cache(maxsize=16)
def _countries_in(locale: str) -> tuple[SelectChoice, ...]:
    names = Locale.parse(locale).territories
    countries = (
        SelectChoice(code, name) for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )
    return tuple(sorted(countries, key=lambda choice: choice.label.casefold()))


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    """Every code the list offers (the same in every language), and "" for none chosen."""
    return frozenset(choice.value for choice in _countries_in("en")) | {""}


def is_country_code(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code the signing form offers."""
    return bool(code) and code in _country_codes()


def _multiline_filter(value):
    """Trim and normalise like every field, but keep the person's line breaks."""
    return clean(value.replace("\r\n", "\n")) if isinstance(value, str) else value


@lru_cache(maxsize=16)
def _unchosen_options(locale: str) -> Markup:
    """The list's options in `locale` with none chosen, rendered once."""
    choices = [SelectChoice("", _("Choose a country")), *_countries_in(locale)]
    return Markup("").join(
        Select.render_option(Choice(choice.value, choice.label, False, choice.render_kw))
        for choice in choices)


class _CountrySelect(Select):
    """With no country chosen, as on the page every visitor gets, the options come ready
    made: rendering 250 of them was a third of the statement page's work."""

    def __call__(self, field, **kwargs):
        if field.data:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = True
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      f"{_unchosen_options(_locale())}</select>")


def _locale() -> str:
    return str(get_locale() or "en")


class CountryField(SelectField):
    """ISO 3166-1 alpha-2 codes in the reader's language, sorted by name; may be left empty.

    A submitted code is checked against a set; the 250 named choices are made only when the
    list is shown, never for a POST that is accepted.
    """

    widget = _CountrySelect()

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=[], **kwargs)

    def iter_choices(self):
        self.choices = [SelectChoice("", _("Choose a country"))] + list(_countries_in(_locale()))
        return super().iter_choices()

    def pre_validate(self, form):
        if (self.data or "") not in _country_codes():
            raise ValidationError(_("Choose a country from the list."))


class SignatoryDetailsForm(FlaskForm):
    """Name and affiliation: what a signatory types and an organizer may correct."""

    name = StringField(
        _l("Name"), filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=NAME_MAX_LENGTH, message=_l("Your name must be %(max)d characters or fewer.")),
            NoControlCharacters(),
            HasLetter(NAME_NEEDS_A_LETTER),
        ],
    )
    affiliation = StringField(
        _l("Affiliation"), filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=AFFILIATION_MAX_LENGTH,
                   message=_l("The affiliation must be %(max)d characters or fewer.")),
            NoControlCharacters(),
            HasLetter(AFFILIATION_NEEDS_A_LETTER),
        ],
    )


class SignatureForm(SignedFormToken, ConsentAndHoneypot, CameFrom, SignatoryDetailsForm):
    consent_text = _l('I agree that my signature and the details above are kept as described '
                      'in the <a href="%(url)s">privacy notice</a>.')
    consent_required = _l("Tick the box to agree, or your signature cannot be kept.")

    email = email_field()
    country = CountryField(_l("Country"))
    personal_capacity = BooleanField(_l("I am signing in a personal capacity"))
    show_publicly = BooleanField(_l("Show my name publicly"), default=False)
    comment = TextAreaField(
        _l("Comment"), filters=[_multiline_filter],
        validators=[
            Optional(),
            Length(max=COMMENT_MAX,
                   message=_l("Your comment must be %(max)d characters or fewer.")),
            NoControlCharacters(multiline=True),
        ],
    )
    email_updates = updates_choice()

    @classmethod
    def submitted(cls) -> "SignatureForm":
        """This request's form, validated once: the rate limits check it before the view does.

        Its `errors` are empty when it is valid.
        """
        if _SUBMITTED not in request.environ:
            form = cls()
            form.validate()
            request.environ[_SUBMITTED] = form
        return request.environ[_SUBMITTED]


class ResendForm(SignedFormToken, FlaskForm):
    email = email_field()


#: How each status reads in the dashboard.
STATUS_LABELS = {
    SignatureStatus.pending: _l("Waiting for confirmation"),
    SignatureStatus.confirmed: _l("Confirmed"),
    SignatureStatus.hidden: _l("Hidden"),
    SignatureStatus.withdrawn: _l("Withdrawn"),
}


#: Why a signature is held, as the abuse review says it.
HOLD_REASON_LABELS = {
    HoldReason.busy_address: _l("Its network address signed faster than one person does"),
}


class SignatureSearchForm(FlaskForm):
    """The dashboard's search box and status filter, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip_filter],
                    validators=[Length(max=200), NoControlCharacters()])
    status = SelectField(
        _l("Status"), validate_choice=True, default="",
        choices=[SelectChoice("", _l("Any status"))] + [
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ],
    )

    @property
    def chosen_status(self) -> SignatureStatus | None:
        return SignatureStatus(self.status.data) if self.status.data else None


class PaperSignaturesForm(FlaskForm):
    """Signatures collected on paper: pasted lines or a CSV file, checked before they are added."""

    text = TextAreaField(
        _l("Signatories, one a line"), filters=[_multiline_filter],
        validators=[Length(max=PAPER_MAX_BYTES, message=_l("The text is too long: split it."))],
    )
    file = FileField(
        _l("Or upload a CSV file"),
        validators=[FileSize(PAPER_MAX_BYTES, message=_l("The file is too large: split it."))],
    )
    #: A checked CSV file's text, carried from the preview to the Add button.
    csv_text = HiddenField(validators=[Length(max=PAPER_MAX_BYTES)])
    collected_on = DateField(_l("Date collected"), validators=[Optional()])
    source = StringField(
        _l("Source code"), filters=[strip_filter], default="paper",
        validators=[Length(max=SOURCE_MAX_LENGTH), NoControlCharacters()],
    )
    show_publicly = BooleanField(_l("The signatories agreed to be listed by name"))

    def validate_text(self, field):
        if not (field.data or "").strip() and not self.file.data and not self.csv_text.data:
            raise ValidationError(_l("Paste the signatories or choose a CSV file."))
