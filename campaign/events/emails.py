"""The emails a registrant gets, and the signed links in them (ticket page, calendar, QR code,
cancel) that are their only way back to their registration."""
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

from campaign.common.urls import absolute_url
from campaign.events.models import Registration
from campaign.events.places import waitlist_place
from campaign.events.translations import event_in_language
from campaign.extensions import db
from campaign.mail.service import enqueue

_TOKEN_SALT = "event-registration"


def registration_token(registration: Registration) -> str:
    """The secret part of the registrant's links (ticket page, calendar, QR code, cancel)."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)
    return serializer.dumps([registration.id, registration.reference])


def registration_from_token(token: str) -> Registration | None:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)
    try:
        registration_id, reference = serializer.loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(registration_id, int) or not isinstance(reference, str):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.reference != reference:
        return None
    return registration


def registration_links(registration: Registration) -> dict[str, str]:
    token = registration_token(registration)
    slug = registration.event.slug
    return {
        "ticket_url": absolute_url("events.ticket", slug=slug, token=token),
        "cancel_url": absolute_url("events.cancel", slug=slug, token=token),
        "ics_url": absolute_url("events.calendar", slug=slug, token=token),
        "qr_url": absolute_url("events.qr_code", slug=slug, token=token),
        "event_url": absolute_url("events.event_page", slug=slug),
    }


def email_registrant(registration: Registration, template: str, subject, **extra) -> None:
    """Email the registrant in the language they registered in, whichever request sends it
    (theirs, an organizer's, or the payment provider's webhook in `payments`).

    `subject` is a lazy string with a %(title)s, filled with the event's title in that language.
    """
    if not registration.email:
        return
    db.session.flush()
    with force_locale(registration.language):
        event = event_in_language(registration.event, registration.language)
        enqueue(
            template, registration.email, str(subject) % {"title": event.title}, template,
            registration=registration, event=event, ticket=registration.ticket_type,
            appeal=registration.event.appeal, place=waitlist_place(registration),
            **registration_links(registration), **extra,
        )
