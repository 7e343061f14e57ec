"""Reminding an event's confirmed registrants before it starts (`events remind`, from cron).

A reminder is an update with `reminder_for_event_id` set, which is unique: however often
and from however many hosts the command runs, each event gets one, and each registrant one
message (one recipient row per address per update).
"""
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign.common.time import utcnow
from campaign.events.models import Event, EventStatus
from campaign.events.times import format_event_span
from campaign.extensions import db
from campaign.updates.models import AudienceKind, RegistrantGroup, Update, UpdateStatus
from campaign.updates.service import start_due_updates


def remind_due(now: datetime | None = None) -> list[Event]:
    """Create the reminders that are due and queue their recipients; returns their events."""
    now = now or utcnow()
    reminded = set(db.session.scalars(
        select(Update.reminder_for_event_id).where(Update.reminder_for_event_id.is_not(None))))
    upcoming = db.session.scalars(
        select(Event).where(Event.status == EventStatus.published, Event.starts_at > now)
        .order_by(Event.starts_at))
    created = []
    for event in upcoming:
        if event.id in reminded or event.starts_at - timedelta(hours=event.reminder_hours) > now:
            continue
        if _create_reminder(event, now):
            created.append(event)
    db.session.commit()
    start_due_updates(now)
    return created


def _create_reminder(event: Event, now: datetime) -> bool:
    reminder = Update(
        campaign_id=event.campaign_id, audience=AudienceKind.event, event_id=event.id,
        registrant_group=RegistrantGroup.confirmed, reminder_for_event_id=event.id,
        subject=_("Reminder: %(title)s", title=event.title),
        body=render_template("updates/reminder.md", event=event, when=format_event_span(event)),
        status=UpdateStatus.scheduled, send_at=now, created_by="events remind",
    )
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
    except IntegrityError:  # another run made it first
        return False
    return True
