"""Writing an update, choosing its audience, queuing it and handing it to the outbox.

`create_update` makes one from a subject and a Markdown body (a news post can be sent with
that one call), `send_update` schedules it (now or later). The next delivery round on or
after its time queues every recipient in one INSERT ... SELECT (`queue_recipients`); then
each round of the mail sender first hands a batch of them to the outbox (`hand_over`),
rendered for each person, and the outbox delivers them. A batch is claimed with a guarded
UPDATE in the transaction that writes its messages, so several senders never hand a
recipient over twice, and a sender killed mid-batch leaves its batch queued.
"""
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.sql import insert

from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.markdown import render_markdown
from campaign.common.time import utcnow
from campaign.events.emails import registration_links
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.extensions import db, passing_locked_rows
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.mail.service import (
    ask_for_delivery, email_context, enqueue_rendered, rendered_message,
)
from campaign.signatures.links import signed_link
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Campaign, Statement
from campaign.supporters.models import NEVER_MAILED, SubscriptionState, Supporter
from campaign.supporters.service import unsubscribe_url
from campaign.updates.models import (
    AudienceKind, RecipientStatus, RegistrantGroup, Update, UpdateRecipient, UpdateStatus,
)

SUBJECT_MAX = 300
BODY_MAX = 50_000


class UpdateError(DomainError):
    pass


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    campaign: Campaign
    statement: Statement | None = None
    event: Event | None = None


def parse_audience(text: str) -> Audience:
    """`campaign`, `campaign:SLUG`, `statement:SLUG` or `event:SLUG` (the command line's)."""
    kind, _sep, slug = (text or "").strip().partition(":")
    if kind == "campaign":
        query = select(Campaign).order_by(Campaign.id)
        found = db.session.scalars(query.where(Campaign.slug == slug) if slug else query).first()
        if found is None:
            raise UpdateError(_("There is no such campaign."), field="audience")
        return Audience(AudienceKind.campaign, found)
    if kind == "statement":
        statement = db.session.scalars(select(Statement).where(Statement.slug == slug)).first()
        if statement is None:
            raise UpdateError(_("There is no statement with that address."), field="audience")
        return Audience(AudienceKind.statement, statement.campaign, statement=statement)
    if kind == "event":
        event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
        if event is None:
            raise UpdateError(_("There is no event with that address."), field="audience")
        return Audience(AudienceKind.event, event.campaign, event=event)
    raise UpdateError(_("Choose the audience: campaign, statement:SLUG or event:SLUG."),
                      field="audience")


def create_update(audience: Audience, subject: str, body: str, *,
                  registrant_group: RegistrantGroup = RegistrantGroup.all, country: str = "",
                  source: str = "", created_by: str = "") -> Update:
    """A draft update from a subject and a Markdown body; commits."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or len(subject) > SUBJECT_MAX or "\n" in subject or "\r" in subject:
        raise UpdateError(_("Enter a subject of one line, %(max)d characters or fewer.",
                            max=SUBJECT_MAX), field="subject")
    if not body or len(body) > BODY_MAX:
        raise UpdateError(_("Enter the message, %(max)d characters or fewer.", max=BODY_MAX),
                          field="body")
    item = Update(
        campaign_id=audience.campaign.id, subject=subject, body=body, audience=audience.kind,
        statement_id=audience.statement.id if audience.statement else None,
        event_id=audience.event.id if audience.event else None,
        registrant_group=registrant_group, country=country.upper()[:2],
        source=source[:64], created_by=created_by,
    )
    db.session.add(item)
    db.session.commit()
    return item


def schedule_update(audience: str, subject: str, body: str, at: datetime | None = None,
                    created_by: str = "") -> Update:
    """Write and schedule an update in one call (`updates send`; a news post sent as an
    update): `audience` as `parse_audience` reads it, `body` Markdown, `at` UTC or now."""
    return send_update(create_update(parse_audience(audience), subject, body,
                                     created_by=created_by), at)


def get_update(update_id: int) -> Update:
    item = db.session.get(Update, update_id)
    if item is None:
        raise UpdateError(_("There is no such update."))
    return item


def list_updates(limit: int = 100) -> list[Update]:
    return list(db.session.scalars(
        select(Update).order_by(Update.created_at.desc(), Update.id.desc()).limit(limit)))


def send_update(item: Update, at: datetime | None = None) -> Update:
    """Schedule the update for `at` (default: now); the mail sender queues it then; commits."""
    if not item.can_be_sent:
        raise UpdateError(_("This update has already been sent or stopped."))
    now = utcnow()
    item.status = UpdateStatus.scheduled
    item.send_at = max(at, now) if at else now
    record("update.send", f"update:{item.id}", _target(item))
    db.session.commit()
    ask_for_delivery()
    return item


def _target(item: Update) -> str:
    if item.statement is not None:
        return f"statement:{item.statement.slug}"
    if item.event is not None:
        return f"event:{item.event.slug}"
    return ""


def start_due_updates(now: datetime | None = None) -> int:
    """Queue the recipients of every update whose time has come; returns how many were queued.

    The guarded UPDATE lets one sender only start each update."""
    now = now or utcnow()
    queued = 0
    due_ids = db.session.scalars(
        select(Update.id).where(Update.status == UpdateStatus.scheduled, Update.send_at <= now))
    for update_id in list(due_ids):
        started = db.session.execute(
            update(Update).where(Update.id == update_id, Update.status == UpdateStatus.scheduled)
            .values(status=UpdateStatus.sending, queued_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if started:
            queued += queue_recipients(db.session.get(Update, update_id))
        db.session.commit()
    return queued


def queue_recipients(item: Update) -> int:
    """Every recipient of the audience, in one INSERT ... SELECT; part of the caller's
    transaction. Returns (and keeps as `audience_size`) how many."""
    columns = ["update_id", "email_index", "supporter_id", "status"]
    db.session.execute(insert(UpdateRecipient).from_select(columns, _audience_query(item)))
    # Counted, not read from rowcount, which a driver may leave at -1 for INSERT ... SELECT.
    item.audience_size = db.session.scalar(
        select(func.count()).select_from(UpdateRecipient)
        .where(UpdateRecipient.update_id == item.id))
    return item.audience_size


def _audience_query(item: Update):
    queued = literal(RecipientStatus.queued, UpdateRecipient.__table__.c.status.type)
    update_id = literal(item.id)
    subscribed = Supporter.state == SubscriptionState.subscribed
    if item.audience is AudienceKind.event:
        return (
            select(update_id, Registration.email_index, Supporter.id, queued)
            .outerjoin(Supporter, and_(Supporter.campaign_id == item.campaign_id,
                                       Supporter.email_index == Registration.email_index))
            .where(Registration.event_id == item.event_id, Registration.email_index.is_not(None),
                   _in_group(item.registrant_group),
                   or_(Supporter.id.is_(None), Supporter.state.not_in(NEVER_MAILED)),
                   *([Registration.source == item.source] if item.source else []))
        )
    if item.audience is AudienceKind.statement:
        return (
            select(update_id, Signature.email_index, Supporter.id, queued)
            .join(Supporter, and_(Supporter.campaign_id == item.campaign_id,
                                  Supporter.email_index == Signature.email_index))
            .where(Signature.statement_id == item.statement_id,
                   Signature.status == SignatureStatus.confirmed, subscribed,
                   *_signature_narrowing(item))
        )
    query = (select(update_id, Supporter.email_index, Supporter.id, queued)
             .where(Supporter.campaign_id == item.campaign_id, subscribed))
    if item.country or item.source:
        came = exists(
            select(Signature.id).join(Statement, Statement.id == Signature.statement_id)
            .where(Statement.campaign_id == item.campaign_id,
                   Signature.email_index == Supporter.email_index, *_signature_narrowing(item)))
        if item.source and not item.country:
            came = or_(came, exists(
                select(Registration.id).join(Event, Event.id == Registration.event_id)
                .where(Event.campaign_id == item.campaign_id,
                       Registration.email_index == Supporter.email_index,
                       Registration.source == item.source)))
        query = query.where(came)
    return query


def _signature_narrowing(item: Update) -> list:
    return ([Signature.country == item.country] if item.country else []) + (
        [Signature.source == item.source] if item.source else [])


def _in_group(group: RegistrantGroup):
    return {
        RegistrantGroup.all: Registration.status != RegistrationStatus.cancelled,
        RegistrantGroup.confirmed: Registration.status == RegistrationStatus.confirmed,
        RegistrantGroup.waiting: Registration.status == RegistrationStatus.waitlisted,
        RegistrantGroup.checked_in: Registration.checked_in_at.is_not(None),
    }[group]


def hand_over(limit: int) -> int:
    """Write up to `limit` queued recipients' messages to the outbox; commits; returns how many
    were claimed. Someone who unsubscribed, bounced or was erased since queuing is skipped."""
    pick = (
        select(UpdateRecipient.id)
        .join(Update, Update.id == UpdateRecipient.update_id)
        .where(Update.status == UpdateStatus.sending,
               UpdateRecipient.status == RecipientStatus.queued)
        .order_by(UpdateRecipient.id).limit(limit)
    )
    candidates = db.session.scalars(passing_locked_rows(pick, of=UpdateRecipient)).all()
    if not candidates:
        _finish_sent_updates()
        db.session.commit()
        return 0
    claimed = db.session.scalars(
        update(UpdateRecipient)
        .where(UpdateRecipient.id.in_(candidates),
               UpdateRecipient.status == RecipientStatus.queued)
        .values(status=RecipientStatus.handed)
        .returning(UpdateRecipient.id)
        .execution_options(synchronize_session=False)
    ).all()
    recipients = db.session.scalars(
        select(UpdateRecipient).where(UpdateRecipient.id.in_(claimed))
        .execution_options(populate_existing=True)).all()
    written = _render_into_outbox(recipients)
    message_ids = enqueue_rendered([message for _recipient, message in written])
    if written:  # one executemany, not an UPDATE a row
        db.session.execute(update(UpdateRecipient), [
            {"id": recipient.id, "outbox_message_id": message_id}
            for (recipient, _message), message_id in zip(written, message_ids)])
    db.session.commit()
    return len(claimed)


def _render_into_outbox(recipients: list[UpdateRecipient]) -> list[tuple]:
    """Each recipient still to be mailed, with their message (a row for the outbox)."""
    updates = {item.id: item for item in db.session.scalars(
        select(Update).where(Update.id.in_({r.update_id for r in recipients})))}
    supporters = _by_id(Supporter, {r.supporter_id for r in recipients})
    own = {item.id: _own_rows(item, {r.email_index for r in recipients
                                     if r.update_id == item.id}) for item in updates.values()}
    messages = {}
    written = []
    for recipient in recipients:
        item = updates[recipient.update_id]
        person = Person.of(item, supporters.get(recipient.supporter_id),
                           own[item.id].get(recipient.email_index))
        if person is None:
            recipient.status = RecipientStatus.skipped
            continue
        if item.id not in messages:
            messages[item.id] = PersonalMessages(item)
        written.append((recipient, _message_for(messages[item.id], person)))
    return written


def _own_rows(item: Update, indexes: set[str]) -> dict:
    """The recipients' own signatures (a statement's audience) or registrations (an event's),
    by the blind index of the address: one each, as the unique constraints have it."""
    if item.audience is AudienceKind.statement:
        model, parent = Signature, Signature.statement_id == item.statement_id
    elif item.audience is AudienceKind.event:
        model, parent = Registration, Registration.event_id == item.event_id
    else:
        return {}
    return {row.email_index: row for row in db.session.scalars(
        select(model).where(parent, model.email_index.in_(indexes)))}


def _by_id(model, ids: set) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


@dataclass(frozen=True)
class Person:
    """Who one message is for, and their own links."""

    email: str
    name: str
    #: The link to their own signature or ticket, and what it is called.
    link: str = ""
    link_label: str = ""
    supporter_id: int | None = None

    @classmethod
    def of(cls, item: Update, supporter: Supporter | None,
           own: Signature | Registration | None) -> "Person | None":
        """None when the message must no longer go: unsubscribed, bounced, erased.

        `own` is their signature or registration, for the link to it."""
        if supporter is not None and (supporter.is_never_mailed or (
                not item.is_practical and not supporter.is_subscribed)):
            return None
        supporter_id = supporter.id if supporter is not None else None
        if own is None and item.audience is not AudienceKind.campaign:
            return None  # their signature or registration was erased since it was queued
        if isinstance(own, Registration):
            registration = own
            if not registration.email:
                return None
            return cls(registration.email, registration.name,
                       registration_links(registration)["ticket_url"], _("Your ticket"),
                       supporter_id)
        if isinstance(own, Signature):
            signature = own
            if not signature.email:
                return None
            return cls(signature.email, signature.name,
                       signed_link(signature, "withdraw", item.statement.slug),
                       _("Your signature (to withdraw it)"), supporter_id)
        if supporter is None:
            return None
        return cls(supporter.email, supporter.name, supporter_id=supporter_id)


def _message_for(messages: "PersonalMessages", person: Person) -> dict:
    unsubscribe = unsubscribe_url(person.supporter_id) if person.supporter_id else None
    text, html = messages.render(person, unsubscribe)
    return rendered_message("update", person.email, messages.subject, text, html, unsubscribe)


class PersonalMessages:
    """The plain text and HTML of one update's message, for each person it goes to.

    The templates are rendered once for each shape a message takes (with or without a name,
    a link and its label, an unsubscribe link: what they ask `if` about), with a stand-in
    for each of the person's own values; each person's message is that rendering with their
    values in place of the stand-ins, escaped in the HTML as the template escapes them.
    Rendering the templates for every person was most of the work of handing a batch over.
    The stand-ins are random, so no update's text can hold one.

    Rendered by the templates themselves, without the context processors that every page
    gets (the site's settings, read from the database): tens of thousands of messages need
    nothing from them, and the preview shows exactly what is sent."""

    _OWN = ("name", "link", "unsubscribe_link")

    def __init__(self, item: Update, subject_prefix: str = ""):
        self.item = item
        self.subject = subject_prefix + item.subject
        self._body_html = render_markdown(item.body)
        marker = uuid.uuid4().hex
        self._stand_ins = {field: f"{marker}{field}" for field in self._OWN}
        self._stand_in = re.compile(f"{marker}({'|'.join(self._OWN)})")
        self._shapes: dict[tuple, tuple[str, str]] = {}

    def render(self, person: Person, unsubscribe: str | None) -> tuple[str, str]:
        own = {"name": person.name, "link": person.link, "unsubscribe_link": unsubscribe or ""}
        shape = (bool(person.name), bool(person.link), person.link_label, bool(unsubscribe))
        if shape not in self._shapes:
            self._shapes[shape] = self._render_shape(person, own)
        text, html = self._shapes[shape]
        return (self._stand_in.sub(lambda found: own[found[1]], text),
                self._stand_in.sub(lambda found: escape(own[found[1]]), html))

    def _render_shape(self, person: Person, own: dict) -> tuple[str, str]:
        stand_ins = {field: self._stand_ins[field] if value else ""
                     for field, value in own.items()}
        context = {**email_context(self.subject), "update": self.item,
                   "person": replace(person, name=stand_ins["name"], link=stand_ins["link"]),
                   "body_html": self._body_html,
                   "unsubscribe_link": stand_ins["unsubscribe_link"],
                   "campaign_title": self.item.campaign.name}
        environment = current_app.jinja_env
        return (environment.get_template("emails/update.txt").render(context),
                environment.get_template("emails/update.html").render(context))


def _finish_sent_updates() -> None:
    waiting = exists(select(UpdateRecipient.id).where(
        UpdateRecipient.update_id == Update.id, UpdateRecipient.status == RecipientStatus.queued))
    db.session.execute(
        update(Update).where(Update.status == UpdateStatus.sending, ~waiting)
        .values(status=UpdateStatus.sent, finished_at=utcnow())
        .execution_options(synchronize_session=False))


def stop_update(item: Update) -> Update:
    """Nobody not yet handed to the mail server gets it: the queue is skipped and the outbox
    messages still waiting are deleted (a sender that claimed one finds it gone); commits."""
    stopped = db.session.execute(
        update(Update).where(Update.id == item.id,
                             Update.status.in_((UpdateStatus.scheduled, UpdateStatus.sending)))
        .values(status=UpdateStatus.stopped, finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not stopped:
        raise UpdateError(_("This update is not being sent, so there is nothing to stop."))
    waiting = (select(OutboxMessage.id)
               .join(UpdateRecipient, UpdateRecipient.outbox_message_id == OutboxMessage.id)
               .where(UpdateRecipient.update_id == item.id,
                      OutboxMessage.status == OutboxStatus.pending))
    waiting_ids = db.session.scalars(waiting).all()
    db.session.execute(
        update(UpdateRecipient)
        .where(UpdateRecipient.update_id == item.id,
               or_(UpdateRecipient.status == RecipientStatus.queued,
                   UpdateRecipient.outbox_message_id.in_(waiting_ids)))
        .values(status=RecipientStatus.skipped, outbox_message_id=None)
        .execution_options(synchronize_session=False))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(waiting_ids),
                                                   OutboxMessage.status == OutboxStatus.pending))
    record("update.stop", f"update:{item.id}", _target(item))
    db.session.commit()
    db.session.refresh(item)
    return item


@dataclass(frozen=True)
class Progress:
    audience: int
    queued: int
    sent: int
    failed: int
    skipped: int
    unsubscribed_since: int


def progress_of(item: Update) -> Progress:
    """Where a send is, live: from the recipients and their outbox messages."""
    rows = db.session.execute(
        select(UpdateRecipient.status, OutboxMessage.status, func.count())
        .outerjoin(OutboxMessage, OutboxMessage.id == UpdateRecipient.outbox_message_id)
        .where(UpdateRecipient.update_id == item.id)
        .group_by(UpdateRecipient.status, OutboxMessage.status))
    counts = {"queued": 0, "sent": 0, "failed": 0, "skipped": 0}
    for recipient_status, message_status, count in rows:
        if recipient_status is RecipientStatus.queued or message_status in (
                OutboxStatus.pending, OutboxStatus.sending):
            counts["queued"] += count
        elif message_status is OutboxStatus.sent:
            counts["sent"] += count
        elif message_status is OutboxStatus.failed:
            counts["failed"] += count
        else:
            counts["skipped"] += count
    since = 0
    if item.queued_at is not None:
        since = db.session.scalar(
            select(func.count()).select_from(UpdateRecipient)
            .join(Supporter, Supporter.id == UpdateRecipient.supporter_id)
            .where(UpdateRecipient.update_id == item.id,
                   Supporter.state == SubscriptionState.unsubscribed,
                   Supporter.state_changed_at >= item.queued_at))
    return Progress(item.audience_size, unsubscribed_since=since, **counts)


def sample_person(item: Update) -> Person:
    """Someone the audience would reach, for the preview; a made-up person when it is empty."""
    query = _audience_query(item).limit(1)
    row = db.session.execute(query).first()
    if row is not None:
        _update_id, index, supporter_id, _status = row
        supporter = db.session.get(Supporter, supporter_id) if supporter_id else None
        person = Person.of(item, supporter, _own_rows(item, {index}).get(index))
        if person is not None:
            return person
    return Person("supporter@example.org", _("Sample Supporter"))


def preview(item: Update) -> dict:
    """What the sample recipient's message says, for the browser: its HTML and plain text."""
    person = sample_person(item)
    unsubscribe = unsubscribe_url(person.supporter_id) if person.supporter_id else None
    text, html = PersonalMessages(item).render(person, unsubscribe)
    return {"person": person, "html": html, "text": text}


def send_test(item: Update, to: str) -> None:
    """The sample recipient's message, sent to `to` (the organizer) with [Test] before it."""
    person = sample_person(item)
    # Without the sample's unsubscribe link: pressing it would unsubscribe someone else.
    test_person = Person(to, person.name, person.link, person.link_label)
    enqueue_rendered([_message_for(PersonalMessages(item, subject_prefix=_("[Test] ")),
                                   test_person)])
    record("update.test", f"update:{item.id}", _target(item))
    db.session.commit()


def audience_choices() -> list[tuple[str, str]]:
    """Every audience an organizer can pick, as (`parse_audience` text, label)."""
    choices = [(f"campaign:{c.slug}", _("All subscribed supporters of %(name)s", name=c.name))
               for c in db.session.scalars(select(Campaign).order_by(Campaign.id))]
    choices += [(f"statement:{s.slug}", _("Subscribed signatories of “%(title)s”", title=s.title))
                for s in db.session.scalars(select(Statement).order_by(Statement.id.desc()))]
    choices += [(f"event:{e.slug}", _("Registrants of “%(title)s”", title=e.title))
                for e in db.session.scalars(select(Event).order_by(Event.starts_at.desc()))]
    return choices


def audience_text(item: Update) -> str:
    """The update's audience as `parse_audience` reads it."""
    return _target(item) or f"campaign:{item.campaign.slug}"


def audience_count(item: Update) -> int:
    """How many people the update would reach if it were sent now."""
    return db.session.scalar(select(func.count()).select_from(_audience_query(item).subquery()))
