"""Forms for registering (public) and for organizers' event, speaker, ticket and appeal pages."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError,
)

from campaign.common.forms import (
    ConsentAndHoneypot, SignedFormToken, email_field, updates_choice,
)
from campaign.common.sources import CameFrom
from campaign.common.text import (
    AFFILIATION_MAX_LENGTH, AFFILIATION_NEEDS_A_LETTER, NAME_MAX_LENGTH, NAME_NEEDS_A_LETTER,
    HasLetter, NoControlCharacters, strip_filter,
)
from campaign.events.money import (
    InvalidMoney, TooMuch, currency_choices, format_money_with_code, to_minor,
)
from campaign.events.payments import DEFAULT_METHOD, available_methods
from campaign.events.service import (
    AppealDetails, EventDetails, TicketDetails, is_pay_what_you_can, largest_appeal_target,
    largest_ticket_price, offered_methods, timezone_names,
)

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_PLACES = _l("Enter a whole number of places from 0 to 1,000,000, or leave it empty.")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _text(label, max_length, required=None, multiline=False, also=(), **kwargs):
    validators = [DataRequired(required)] if required else [Optional()]
    validators += [Length(max=max_length), NoControlCharacters(multiline=multiline), *also]
    field_class = TextAreaField if multiline else StringField
    return field_class(label, filters=[strip_filter], validators=validators, **kwargs)


def _money_field(label, **kwargs):
    return StringField(label, filters=[strip_filter],
                       validators=[Optional(), Length(max=20), NoControlCharacters()], **kwargs)


def _check_money(field, currency: str, largest_minor: int, too_much) -> None:
    """`too_much` is the message for more than `largest_minor`, which it names as %(amount)s."""
    if field.data:
        try:
            to_minor(field.data, currency, largest_minor)
        except TooMuch as error:
            amount = format_money_with_code(largest_minor, currency)
            raise ValidationError(too_much % {"amount": amount}) from error
        except InvalidMoney as error:
            raise ValidationError(_l("Enter an amount like 10 or 12.50.")) from error


def _minor(field, currency: str) -> int | None:
    """A validated money field in minor units; None when left empty."""
    return to_minor(field.data, currency) if field.data else None


def _optional_int(value):
    """Coerce for a select whose empty choice means "any"."""
    return None if value in (None, "", "None") else int(value)


class _ChoiceField(SelectField):
    """A select that answers a value not on the list (or not even a number) with one plain message."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose from the list."))
        super().__init__(label, **kwargs)

    unreadable = False

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data, self.unreadable = None, True

    def pre_validate(self, form):
        if self.unreadable:
            raise ValidationError(self.invalid_choice_message)
        super().pre_validate(form)


class RegistrationForm(SignedFormToken, ConsentAndHoneypot, CameFrom, FlaskForm):
    consent_text = _l('I agree that the details above are kept to run this event and to contact '
                      'me about it, as described in the <a href="%(url)s">privacy notice</a>.')
    consent_required = _l("Tick the box to agree, or we cannot register you.")

    name = _text(_l("Name"), NAME_MAX_LENGTH, required=_l("Enter your name."),
                 also=[HasLetter(NAME_NEEDS_A_LETTER)])
    email = email_field(invalid=_l("Enter an email address like name@example.org."))
    affiliation = _text(_l("Affiliation"), AFFILIATION_MAX_LENGTH,
                        also=[HasLetter(AFFILIATION_NEEDS_A_LETTER)])
    ticket = _ChoiceField(_l("Ticket"), coerce=int)
    amount = _money_field(_l("Amount"))
    payment = _ChoiceField(_l("How you pay for a paid ticket"), default="")
    email_updates = updates_choice()

    def for_event(self, event, ticket_label) -> "RegistrationForm":
        self.tickets = {ticket.id: ticket for ticket in event.ticket_types}
        self.ticket.choices = [SelectChoice(ticket.id, ticket_label(ticket))
                               for ticket in event.ticket_types]
        offered = {name for ticket in event.ticket_types if ticket.price_minor
                   for name in offered_methods(ticket)}
        self.payment.choices = [SelectChoice("", _("As the ticket offers"))] + [
            SelectChoice(method.name, method.label) for method in available_methods()
            if method.name in offered]
        #: Shown only when some paid ticket offers a choice of how to pay.
        self.offers_payment_choice = len(offered) > 1
        return self

    def validate_amount(self, field):
        ticket = self.tickets.get(self.ticket.data)
        if ticket is not None and is_pay_what_you_can(ticket):
            _check_money(field, ticket.currency, largest_ticket_price(ticket.currency),
                         _l("Pledge at most %(amount)s for this ticket."))

    def amount_minor(self) -> int | None:
        """The pay-what-you-can amount in the chosen ticket's currency (None: the suggested price)."""
        ticket = self.tickets[self.ticket.data]
        return _minor(self.amount, ticket.currency) if is_pay_what_you_can(ticket) else None


class EventForm(FlaskForm):
    title = _text(_l("Title"), 300, required=_l("Enter a title."))
    slug = StringField(
        _l("Page address"), filters=[strip_filter],
        validators=[Optional(), Length(max=120),
                    Regexp(_SLUG, message=_l("Use lower-case letters, digits and single dashes."))],
    )
    campaign_id = _ChoiceField(_l("Campaign"), coerce=int)
    statement_id = _ChoiceField(_l("Statement it launches"), coerce=int)
    description = _text(_l("Description"), 20000, multiline=True)
    host = _text(_l("Host"), 300)
    timezone = _ChoiceField(_l("Time zone"), default="Europe/London")
    starts_local = DateTimeLocalField(
        _l("Starts"), format=_LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter the date and time it starts."))],
    )
    ends_local = DateTimeLocalField(_l("Ends"), format=_LOCAL_FORMAT, validators=[Optional()])
    venue = _text(_l("Venue"), 300)
    address = _text(_l("Address of the venue"), 2000, multiline=True)
    online_url = URLField(_l("Online link"), filters=[strip_filter],
                          validators=[Optional(), Length(max=500), NoControlCharacters()])
    registration_required = BooleanField(_l("Only people who have registered may attend"),
                                         default=True)
    opens_local = DateTimeLocalField(_l("Registration opens"), format=_LOCAL_FORMAT,
                                     validators=[Optional()])
    closes_local = DateTimeLocalField(_l("Registration closes"), format=_LOCAL_FORMAT,
                                      validators=[Optional()])
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_PLACES)])
    reminder_hours = IntegerField(
        _l("Remind registrants (hours before)"), default=24,
        validators=[Optional(),
                    NumberRange(min=1, max=24 * 30,
                                message=_l("Enter a number of hours from 1 to 720."))])
    what_to_bring = _text(_l("What to bring"), 2000, multiline=True)

    def with_choices(self, campaigns, statements, default_campaign_name: str) -> "EventForm":
        """Fill the lists; with no campaign yet, 0 stands for the one made from the settings."""
        self.campaign_id.choices = [
            SelectChoice(campaign.id, campaign.name) for campaign in campaigns
        ] or [SelectChoice(0, default_campaign_name)]
        self.statement_id.choices = [SelectChoice(0, _("None"))] + [
            SelectChoice(statement.id, statement.title) for statement in statements
        ]
        self.timezone.choices = timezone_names()
        return self

    def details(self) -> EventDetails:
        return EventDetails(
            campaign_id=self.campaign_id.data or None, title=self.title.data,
            slug=self.slug.data or "",
            starts_local=self.starts_local.data, timezone=self.timezone.data,
            ends_local=self.ends_local.data, description=self.description.data or "",
            host=self.host.data or "", venue=self.venue.data or "",
            address=self.address.data or "", online_url=self.online_url.data or "",
            statement_id=self.statement_id.data or None,
            registration_required=self.registration_required.data,
            opens_local=self.opens_local.data, closes_local=self.closes_local.data,
            capacity=self.capacity.data, reminder_hours=self.reminder_hours.data or 24,
            what_to_bring=self.what_to_bring.data or "",
        )


class SpeakerForm(FlaskForm):
    name = _text(_l("Name"), 200, required=_l("Enter the speaker's name."))
    role = _text(_l("Role"), 300)
    bio = _text(_l("Short bio"), 2000, multiline=True)


class TicketForm(FlaskForm):
    name = _text(_l("Name"), 200, required=_l("Enter the ticket's name."))
    description = _text(_l("Description"), 2000, multiline=True)
    price = _money_field(_l("Price"))
    currency = _ChoiceField(_l("Currency"), default="GBP")
    min_price = _money_field(_l("Minimum for pay what you can"))
    capacity = IntegerField(_l("Places for this ticket"),
                            validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_PLACES)])
    payment_methods = _ChoiceField(_l("How it is paid"), default=DEFAULT_METHOD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()
        self.payment_methods.choices = _payment_method_choices()

    def validate_price(self, field):
        _check_money(field, self.currency.data, largest_ticket_price(self.currency.data),
                     _l("The price can be at most %(amount)s."))

    def validate_min_price(self, field):
        _check_money(field, self.currency.data, largest_ticket_price(self.currency.data),
                     _l("The minimum can be at most %(amount)s."))

    def details(self) -> TicketDetails:
        return TicketDetails(
            name=self.name.data, description=self.description.data or "",
            price_minor=_minor(self.price, self.currency.data) or 0, currency=self.currency.data,
            min_price_minor=_minor(self.min_price, self.currency.data),
            capacity=self.capacity.data, payment_methods=self.payment_methods.data,
        )


def _payment_method_choices() -> list[SelectChoice]:
    """Each method this deployment offers on its own, then all of them for the registrant to choose."""
    methods = available_methods()
    choices = [SelectChoice(method.name, method.label) for method in methods]
    if len(methods) > 1:
        choices.append(SelectChoice(",".join(method.name for method in methods),
                                    _l("Any of these: the registrant chooses")))
    return choices


class AppealForm(FlaskForm):
    name = _text(_l("Name of the appeal"), 200, required=_l("Enter the appeal's name."))
    description = _text(_l("Description"), 5000, multiline=True)
    target = _money_field(_l("Target"))
    currency = _ChoiceField(_l("Currency"), default="GBP")
    website = URLField(_l("Website"), filters=[strip_filter],
                       validators=[Optional(), Length(max=500), NoControlCharacters()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()

    def validate_target(self, field):
        _check_money(field, self.currency.data, largest_appeal_target(self.currency.data),
                     _l("The target can be at most %(amount)s."))

    def details(self) -> AppealDetails:
        return AppealDetails(
            name=self.name.data, description=self.description.data or "",
            target_minor=_minor(self.target, self.currency.data), currency=self.currency.data,
            website=self.website.data or "",
        )



class RegistrationSearchForm(FlaskForm):
    """The search box and filters above the registrations table, read from the query string."""

    class Meta:
        csrf = False

    q = _text(_l("Search"), 200)
    status = _ChoiceField(_l("Status"), default="", choices=[
        SelectChoice("", _l("Any status")),
        SelectChoice("confirmed", _l("Confirmed")),
        SelectChoice("waitlisted", _l("Waiting list")),
        SelectChoice("awaiting_payment", _l("Held for payment online")),
        SelectChoice("cancelled", _l("Cancelled")),
    ])
    ticket = _ChoiceField(_l("Ticket"), coerce=_optional_int)

    def for_event(self, event) -> "RegistrationSearchForm":
        self.ticket.choices = [SelectChoice(None, _("Any ticket"))] + [
            SelectChoice(ticket.id, ticket.name) for ticket in event.ticket_types
        ]
        return self


class CheckInSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = _text(_l("Name or reference code"), 200)
