"""An event's words in another language (title, description, venue), and the event as a page
or an email in one language shows it. Speakers, tickets and times are the event's own."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.audit.service import record
from campaign.common.languages import InLanguage
from campaign.events.errors import EventError
from campaign.events.models import Event, EventTranslation
from campaign.extensions import db


def event_translation(event: Event, language: str) -> EventTranslation | None:
    return db.session.scalar(select(EventTranslation).where(
        EventTranslation.event_id == event.id, EventTranslation.language == language))


def event_in_language(event: Event, language: str | None) -> InLanguage:
    """The event shown in `language`: its translation's words there, if it has one."""
    translation = event_translation(event, language) if language else None
    if translation is None:
        return InLanguage(event, current_app.config["BABEL_DEFAULT_LOCALE"])
    return InLanguage(event, translation.language, {
        "title": translation.title, "description": translation.description,
        "venue": translation.venue or event.venue,
    })


def save_event_translation(event: Event, language: str, title: str, description: str,
                           venue: str = "") -> EventTranslation:
    """Add the event's words in `language`, or replace them."""
    if language not in current_app.config["LANGUAGES"]:
        raise EventError(_("%(language)s is not one of the site's languages (%(offered)s).",
                           language=language or "?",
                           offered=", ".join(current_app.config["LANGUAGES"])),
                         field="language")
    if not title.strip():
        raise EventError(_("Give the translation a title."), field="title")
    translation = event_translation(event, language)
    if translation is None:
        translation = EventTranslation(event_id=event.id, language=language)
        db.session.add(translation)
    translation.title, translation.description, translation.venue = title, description, venue
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise EventError(_("Someone else added that translation at the same moment. "
                           "Try again."), field="language") from error
    record("event.translate", f"event:{event.slug}", language)
    db.session.commit()
    return translation
