"""The OSDI record-signature and record-attendance helpers: a partner's server signs or
registers someone through the very forms and service functions the public pages use, so the
same rules hold (a valid name and address, consent, one signature or registration per
address, the confirmation email, the per-address mail limit, closed statements and events)."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from campaign.common.errors import DomainError
from campaign.common.hashing import email_index
from campaign.events import service as events
from campaign.events.forms import RegistrationForm
from campaign.events.models import Event, Registration
from campaign.extensions import db
from campaign.signatures import service as signatures
from campaign.signatures.forms import SignatureForm
from campaign.signatures.models import Signature
from campaign.statements.models import Statement


class InvalidRecord(DomainError):
    """The body cannot be recorded; `errors` says, field by field, what to correct."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


class NotOpen(DomainError):
    """The statement or event does not take signatures or registrations now."""


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(_("Check the fields named below."),
                            {name: [_("This must be a string.")]})
    return value


def _flag(value, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidRecord(_("Check the fields named below."),
                            {name: [_("This must be true or false.")]})
    return value


def _person_fields(body) -> dict:
    """The form fields a request body's `person` (OSDI) fills in, checked for shape only."""
    if not isinstance(body, dict) or not isinstance(body.get("person"), dict):
        raise InvalidRecord(_("Send a JSON object with a \"person\" object in it."))
    person = body["person"]
    custom = person.get("custom_fields") or {}
    emails = person.get("email_addresses") or []
    places = person.get("postal_addresses") or []
    if not isinstance(custom, dict) or not isinstance(emails, list) or \
            not isinstance(places, list) or not all(isinstance(e, dict) for e in emails + places):
        raise InvalidRecord(_("custom_fields must be an object, email_addresses and "
                              "postal_addresses lists of objects."))
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else {})
    name = _text(custom.get("full_name"), "full_name") or " ".join(
        part for part in (_text(person.get("given_name"), "given_name"),
                          _text(person.get("family_name"), "family_name")) if part)
    return {
        "name": name,
        "email": _text(primary.get("address"), "email_addresses"),
        "affiliation": _text(custom.get("affiliation"), "affiliation"),
        "country": _text(places[0].get("country"), "country").upper() if places else "",
        "consent": "y" if _flag(body.get("consent_given"), "consent_given") else "",
        # OSDI's way of saying the person asked for email: the form's "Email me updates" box.
        "email_updates": "y" if _text(primary.get("status"), "email_addresses") == "subscribed"
        else "",
    }


def _checked(form) -> None:
    if not form.validate():
        errors = {name: [str(message) for message in messages]
                  for name, messages in form.errors.items()}
        if "consent" in errors:
            errors["consent_given"] = [_("Send \"consent_given\": true once the person has "
                                         "agreed to the privacy notice.")]
            del errors["consent"]
        raise InvalidRecord(_("Check the fields named below."), errors)


def record_signature(statement: Statement, body) -> Signature:
    """Sign `statement` for the person in `body`; returns their signature (new or earlier)."""
    fields = _person_fields(body)
    fields["comment"] = _text(body.get("comments"), "comments")
    fields["personal_capacity"] = "y" if _flag(body.get("personal_capacity"),
                                               "personal_capacity") else ""
    fields["show_publicly"] = "y" if _flag(body.get("show_publicly"), "show_publicly") else ""
    form = SignatureForm(formdata=MultiDict({k: v for k, v in fields.items() if v}),
                         meta={"csrf": False, "form_token": False})
    _checked(form)
    if not signatures.signing_state(statement).is_open:
        raise NotOpen(_("This statement is not open for signing."))
    try:
        signatures.sign(statement, signatures.SignatoryDetails(
            name=form.name.data, email=form.email.data, affiliation=form.affiliation.data or "",
            country=form.country.data or "", personal_capacity=form.personal_capacity.data,
            show_publicly=form.show_publicly.data, comment=form.comment.data or "",
            wants_updates=form.email_updates.data,
        ))
    except signatures.SigningClosed as error:
        raise NotOpen(str(error)) from error
    return db.session.scalar(select(Signature).where(
        Signature.statement_id == statement.id,
        Signature.email_index == email_index(form.email.data)))


def record_attendance(event: Event, body) -> Registration:
    """Register the person in `body` for `event` (a place, or the waiting list); returns their
    registration. `ticket_type` is a ticket's number (the event's first ticket when left out)."""
    fields = _person_fields(body)
    ticket = body.get("ticket_type")
    if ticket is None and event.ticket_types:
        ticket = event.ticket_types[0].id
    if ticket is not None and (isinstance(ticket, bool) or not isinstance(ticket, int)):
        raise InvalidRecord(_("Check the fields named below."),
                            {"ticket_type": [_("This must be a ticket's number.")]})
    fields["ticket"] = "" if ticket is None else str(ticket)
    fields["amount"] = _text(body.get("amount"), "amount")
    form = RegistrationForm(formdata=MultiDict({k: v for k, v in fields.items() if v}),
                            meta={"csrf": False, "form_token": False}
                            ).for_event(event, lambda t: t.name)
    _checked(form)
    try:
        events.register(
            event, name=form.name.data, email=form.email.data,
            affiliation=form.affiliation.data or "", ticket_type_id=form.ticket.data,
            amount_minor=form.amount_minor(),
            consent_version=current_app.config["CONSENT_VERSION"],
            wants_updates=form.email_updates.data,
        )
    except events.RegistrationClosed as error:
        raise NotOpen(str(error)) from error
    except events.EventError as error:
        raise InvalidRecord(_("Check the fields named below."),
                            {error.field or "ticket_type": [str(error)]}) from error
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event.id,
        Registration.email_index == email_index(form.email.data)))
