"""Writing messages to the outbox; delivering them lives in `mail.sender`."""
from email.utils import formataddr

from flask import current_app, render_template

from campaign.extensions import db
from campaign.mail.models import OutboxMessage


def enqueue(kind: str, to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Add a message to the current transaction, rendered from templates/emails/<template>.txt|.html.

    It is committed (or rolled back) together with whatever it is about.
    """
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
    return message
