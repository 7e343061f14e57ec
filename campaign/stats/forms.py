"""The organizer's forms for tracked links and for a statement's statistics and milestones."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from campaign.common.text import SOURCE_MAX_LENGTH, NoControlCharacters, strip_filter
from campaign.common.sources import INVALID_SOURCE, normal_source
from campaign.signatures.milestones import MAX_CHOSEN, MAX_FIGURE
from campaign.stats.models import PARTNER_MAX_LENGTH

#: "10,000" is one figure written with a thousands separator; "1000,10000" is two.
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")


def _words(text: str) -> list[str]:
    words = []
    for word in re.split(r"[\s;]+", text):
        word = word.strip(",")
        if _GROUPED.fullmatch(word):
            words.append(word.replace(",", ""))
        else:
            words += [part for part in word.split(",") if part]
    return words


class TrackedLinkForm(FlaskForm):
    code = StringField(
        _l("Code"), filters=[strip_filter],
        validators=[DataRequired(_l("Enter a code, like unite-leeds.")),
                    Length(max=SOURCE_MAX_LENGTH, message=INVALID_SOURCE), NoControlCharacters()],
    )
    partner = StringField(
        _l("Who it is for"), filters=[strip_filter],
        validators=[Length(max=PARTNER_MAX_LENGTH,
                           message=_l("Write at most %(max)d characters.")),
                    NoControlCharacters()],
    )

    def validate_code(self, field):
        if not normal_source(field.data):
            raise ValidationError(INVALID_SOURCE)


class StatisticsSettingsForm(FlaskForm):
    public = BooleanField(_l("Show “Where signatories are from” on the statement page, and "
                             "the figures at stats.json"))
    milestones = StringField(
        _l("Milestones"), filters=[strip_filter],
        validators=[Length(max=400, message=_l("Write at most %(max)d characters.")),
                    NoControlCharacters()],
    )

    def validate_milestones(self, field):
        """Whole numbers separated by spaces or commas ("1000, 10000" or "1,000 10,000")."""
        words = _words(field.data or "")
        if not all(word.isascii() and word.isdigit() and len(word) <= 10 for word in words):
            raise ValidationError(_l("Write whole numbers, like 1000, 10000."))
        figures = sorted({int(word) for word in words})
        if any(figure < 1 or figure > MAX_FIGURE for figure in figures):
            raise ValidationError(_l("Each milestone must be between 1 and %(max)s.",
                                     max=f"{MAX_FIGURE:,}"))
        if len(figures) > MAX_CHOSEN:
            raise ValidationError(_l("Choose at most %(max)d milestones.", max=MAX_CHOSEN))
        self.figures = figures
