"""Writing messages to the outbox and putting failed ones back; `mail.sender` delivers them."""
import json
from contextlib import contextmanager
from email.utils import formataddr

from flask import current_app, g, has_app_context, has_request_context, render_template
from flask_babel import force_locale, get_locale, gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, bindparam, func, insert, select, text

from campaign.common.emails import normalise_email
from campaign.common.errors import DomainError
from campaign.common.hashing import email_index, keyed_hash
from campaign.common.site_name import campaign_name
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.audit.service import record

#: Counts one more message to a recipient about one thing today, and returns the new count;
#: no row comes back once MAIL_PER_RECIPIENT_DAILY is reached. Written out as
#: `signatures.counts` does, since SQLAlchemy compiles an ON CONFLICT statement afresh on
#: every use; both databases accept it as is. The row lock queues concurrent requests.
_COUNT_FOR_RECIPIENT = text(
    "INSERT INTO mail_recipient_counts (recipient_hash, about, about_id, day, sent) "
    "VALUES (:recipient_hash, :about, :about_id, :day, 1) "
    "ON CONFLICT (recipient_hash, about, about_id, day) DO UPDATE SET "
    "sent = mail_recipient_counts.sent + 1 WHERE mail_recipient_counts.sent < :limit "
    "RETURNING sent"
).bindparams(bindparam("day", type_=Date))
#: What a message can be about, as its templates are given it; the first one present counts.
_ABOUT = ("event", "statement")


class MailError(DomainError):
    pass


class MessageNotFound(MailError):
    pass


def enqueue(kind: str, to: str, subject: str, template: str, unsubscribe_url: str | None = None,
            **context) -> bool:
    """Add a message to the current transaction, from templates/emails/<template>.txt and .html.

    It is committed (or rolled back) together with whatever it is about; the request
    that enqueued it then wakes the background sender (see `mail.views`).

    When the templates need nothing but plain values (text, numbers; the `statement` or
    `event` it is about is only counted, not given to them), the message stores what to
    render and the sender renders it, in this request's language, after the answer has gone:
    nothing on a signing request renders an email. Otherwise it is rendered now.

    A visitor can make the site write to anyone's address, so what a visitor's request asks
    for about one statement or event (given to the templates as `statement` or `event`)
    reaches one address at most MAIL_PER_RECIPIENT_DAILY times a UTC day. Past that the
    message is dropped (False) and nothing else changes, so the page answers the same. A new
    signature's own email is counted but never dropped (`for_visitors(always=True)`): the
    statement's repeats that came before the sender wrote it cannot keep it from the signer.

    Bulk mail gives `unsubscribe_url`: it goes out as `List-Unsubscribe` with one-click POST.
    The row is written as it is, never loaded as an object: a signature enqueues one.
    """
    if _over_daily_limit(to, context) and g.get("for_visitors") != "always":
        return False
    context = {**email_context(subject), **context}
    row = _message_row(kind, to, subject, unsubscribe_url)
    plain = {name: value for name, value in context.items() if name not in _ABOUT}
    if all(isinstance(value, _PLAIN) for value in plain.values()):
        row.update(template=template, context=json.dumps(plain), body_text="",
                   locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    else:
        row["body_text"], row["body_html"] = _render(template, context)
    # Written past the model, so its blind index too (`OutboxMessage` sets it from `to`).
    row["to_index"] = email_index(to)
    db.session.connection().execute(insert(OutboxMessage.__table__), row)
    ask_for_delivery()
    return True


def email_context(subject: str) -> dict:
    """What every email template is given besides its own values."""
    return {"subject": subject, "campaign_name": campaign_name(),
            "base_url": current_app.config["BASE_URL"].rstrip("/")}


def rendered_message(kind: str, to: str, subject: str, body_text: str, body_html: str,
                     unsubscribe_url: str | None = None) -> dict:
    """A message whose bodies are already written, as a row for `enqueue_rendered`."""
    return {**_message_row(kind, to, subject, unsubscribe_url), "to_index": email_index(to),
            "body_text": body_text, "body_html": body_html}


def enqueue_rendered(messages: list[dict]) -> list[int]:
    """Add messages whose bodies are already written (bulk mail renders its own, once per
    batch of templates) in one statement; returns their ids, in order. No daily limit: only
    organizers' sends come this way."""
    if not messages:
        return []
    outbox = OutboxMessage.__table__
    ids = db.session.scalars(
        insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True), messages).all()
    ask_for_delivery()
    return ids


def _message_row(kind: str, to: str, subject: str, unsubscribe_url: str | None) -> dict:
    """A new message's own columns; the table's defaults fill the rest."""
    return {
        "kind": kind,
        "to": to,
        "sender": formataddr((campaign_name(), current_app.config["MAIL_DEFAULT_SENDER"])),
        "subject": subject,
        "unsubscribe_url": unsubscribe_url,
    }


#: Values a message's context may hold to be rendered later (they go through JSON).
_PLAIN = (str, int, float, bool, type(None))


def _render(template: str, context: dict) -> tuple[str, str]:
    return (render_template(f"emails/{template}.txt", **context),
            render_template(f"emails/{template}.html", **context))


def message_bodies(message: OutboxMessage) -> tuple[str, str]:
    """What the message says, as text and HTML: rendered from what it stored if not yet."""
    if not message.template:
        return message.body_text, message.body_html
    with force_locale(message.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _render(message.template, json.loads(message.context))


def _over_daily_limit(to: str, context: dict) -> bool:
    about = next((name for name in _ABOUT if context.get(name) is not None), None)
    if about is None or not _asked_by_a_visitor():
        return False
    sent = db.session.scalar(_COUNT_FOR_RECIPIENT, {
        "recipient_hash": keyed_hash("mail-recipient", normalise_email(to)),
        "about": about,
        "about_id": context[about].id,
        "day": utcnow().date(),
        "limit": current_app.config["MAIL_PER_RECIPIENT_DAILY"],
    })
    return sent is None


def _asked_by_a_visitor() -> bool:
    """Not an organizer's action, a command, nor a payment provider's verified webhook (which
    sets `g.verified_webhook`): organizers' notices, and tickets and receipts, always go. The
    mail sender writing what visitors asked for earlier says so (`for_visitors`)."""
    if g.get("for_visitors"):
        return True
    return (has_request_context() and not current_user.is_authenticated
            and not g.get("verified_webhook"))


@contextmanager
def for_visitors(always: bool = False):
    """What is enqueued inside was asked for by visitors' requests answered earlier (a
    signature's email, a link asked for again): the per-recipient daily limit counts it as if
    those requests had enqueued it. `always`: counted, but sent even past the limit (a new
    signature's own email, one per signature)."""
    g.for_visitors = "always" if always else "limited"
    try:
        yield
    finally:
        g.pop("for_visitors", None)


def ask_for_delivery() -> None:
    """Wake the background sender once this request is answered (see `mail.views`)."""
    if has_app_context():
        g.mail_waiting = True


def retry(message_id: int) -> OutboxMessage:
    """Give a failed message a fresh round of attempts, starting now; audited."""
    message = get_message(message_id)
    if not message.can_be_retried:
        raise MailError(_("Only a failed message can be retried."))
    message.status = OutboxStatus.pending
    message.attempts = 0
    message.next_attempt_at = utcnow()
    record("mail.retry", f"outbox:{message.id}", message.kind)
    db.session.commit()
    ask_for_delivery()
    return message


def waiting_counts() -> dict[OutboxStatus, int]:
    """How many messages are pending and failed, for the dashboard."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status != OutboxStatus.sent)
        .group_by(OutboxMessage.status)
    )
    counts = {OutboxStatus.pending: 0, OutboxStatus.failed: 0}
    counts.update({status: count for status, count in rows})
    return counts


def outbox_page(statuses: tuple[OutboxStatus, ...], page: int, per_page: int) -> Pagination:
    """A page of the messages in `statuses` for the dashboard: those not sent yet newest first,
    then the sent ones, the most recently sent first."""
    return db.paginate(
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(statuses))
        .order_by(OutboxMessage.sent_at.desc().nulls_first(), OutboxMessage.created_at.desc(),
                  OutboxMessage.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise MessageNotFound(_("There is no such message."))
    return message


def message_text_is_shown() -> bool:
    """Whether the dashboard shows what a message says: only in the embedded default, where
    mail goes to the server's console (MAIL_SERVER unset) and no mailbox ever receives it, so
    that someone trying the site out can follow a confirmation link. With a mail server the
    text is for its recipient alone."""
    return not current_app.config["MAIL_SERVER"]
