"""The public give form and the organizer's giving-page settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from campaign.common.forms import ConsentAndHoneypot, email_field
from campaign.common.text import (
    NAME_MAX_LENGTH, NAME_NEEDS_A_LETTER, HasLetter, NoControlCharacters, strip_filter,
)
from campaign.events.forms import _check_money, _minor, _money_field, _text
from campaign.events.money import InvalidMoney, to_major_text, to_minor
from campaign.events.service import largest_appeal_target
from campaign.payments.appeals import MOST_SUGGESTIONS, GivingDetails, gift_bounds


class GiftForm(ConsentAndHoneypot, FlaskForm):
    consent_text = _l('I agree that my name and email are kept to take this gift and send the '
                      'receipt, as described in the <a href="%(url)s">privacy notice</a>.')
    consent_required = _l("Tick the box to agree, or we cannot take your gift.")

    name = _text(_l("Name"), NAME_MAX_LENGTH, required=_l("Enter your name."),
                 also=[HasLetter(NAME_NEEDS_A_LETTER)])
    email = email_field(invalid=_l("Enter an email address like name@example.org."))
    amount = StringField(_l("Amount"), filters=[strip_filter], validators=[
        InputRequired(_l("Choose or enter an amount.")), Length(max=20), NoControlCharacters()])

    def for_appeal(self, appeal) -> "GiftForm":
        self.appeal = appeal
        return self

    def validate_amount(self, field):
        _check_money(field, self.appeal.currency, gift_bounds(self.appeal)[1],
                     _l("Give at most %(amount)s."))

    def amount_minor(self) -> int:
        return _minor(self.amount, self.appeal.currency)


class GivingForm(FlaskForm):
    slug = StringField(
        _l("Page address"), filters=[strip_filter],
        validators=[Length(min=1, max=120, message=_l("Enter an address for the page.")),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and single dashes."))],
    )
    gift_min = _money_field(_l("Smallest gift"))
    gift_max = _money_field(_l("Largest gift"))
    suggestions = StringField(
        _l("Suggested gifts, separated by spaces"), filters=[strip_filter],
        validators=[Optional(), Length(max=120), NoControlCharacters()])

    def for_appeal(self, appeal) -> "GivingForm":
        self.appeal = appeal
        return self

    def fill_from(self, appeal) -> "GivingForm":
        self.slug.data = appeal.slug or ""
        self.gift_min.data = to_major_text(appeal.gift_min_minor, appeal.currency)
        self.gift_max.data = to_major_text(appeal.gift_max_minor, appeal.currency)
        self.suggestions.data = " ".join(
            to_major_text(int(amount), appeal.currency)
            for amount in appeal.gift_suggestions.split(",") if amount.isdigit())
        return self

    def validate_gift_min(self, field):
        _check_money(field, self.appeal.currency, largest_appeal_target(self.appeal.currency),
                     _l("The smallest gift can be at most %(amount)s."))

    def validate_gift_max(self, field):
        _check_money(field, self.appeal.currency, largest_appeal_target(self.appeal.currency),
                     _l("The largest gift can be at most %(amount)s."))

    def validate_suggestions(self, field):
        self._suggested = []
        for word in (field.data or "").split()[:MOST_SUGGESTIONS + 1]:
            try:
                self._suggested.append(to_minor(word, self.appeal.currency))
            except InvalidMoney as error:
                raise ValidationError(_l("Enter amounts like 10 25 50.")) from error
        if len(self._suggested) > MOST_SUGGESTIONS:
            raise ValidationError(_l("Suggest at most %(count)d amounts.", count=MOST_SUGGESTIONS))

    def details(self) -> GivingDetails:
        return GivingDetails(
            slug=self.slug.data, gift_min_minor=_minor(self.gift_min, self.appeal.currency),
            gift_max_minor=_minor(self.gift_max, self.appeal.currency),
            suggestions=self._suggested,
        )
