"""Writing messages to the outbox and putting failed ones back; `mail.sender` delivers them."""
from email.utils import formataddr

from flask import current_app, g, has_app_context, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from campaign.common.errors import DomainError
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.audit.service import record


class MailError(DomainError):
    pass


class MessageNotFound(MailError):
    pass


def enqueue(kind: str, to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Add a message to the current transaction, from templates/emails/<template>.txt and .html.

    It is committed (or rolled back) together with whatever it is about; the request
    that enqueued it then wakes the background sender (see `mail.views`).
    """
    context["subject"] = subject
    context.setdefault("campaign_name", current_app.config["CAMPAIGN_NAME"])
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    message = OutboxMessage(
        kind=kind,
        to=to,
        sender=formataddr(
            (current_app.config["CAMPAIGN_NAME"], current_app.config["MAIL_DEFAULT_SENDER"])
        ),
        subject=subject,
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
    )
    db.session.add(message)
    ask_for_delivery()
    return message


def ask_for_delivery() -> None:
    """Wake the background sender once this request is answered (see `mail.views`)."""
    if has_app_context():
        g.mail_waiting = True


def retry(message_id: int) -> OutboxMessage:
    """Give a failed message a fresh round of attempts, starting now; audited."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise MessageNotFound(_("There is no such message."))
    if message.status is not OutboxStatus.failed:
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
