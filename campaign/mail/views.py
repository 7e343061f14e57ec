"""No pages of its own (the outbox page is in the dashboard): wakes the background sender
after a request that enqueued mail, when MAIL_SEND_IN_BACKGROUND is on."""
from flask import Blueprint, current_app, g

from campaign.mail.sender import background_sender

bp = Blueprint("mail", __name__)


@bp.after_app_request
def deliver_after_request(response):
    if g.pop("mail_waiting", False) and current_app.config["MAIL_SEND_IN_BACKGROUND"]:
        background_sender(current_app._get_current_object()).wake()
    return response
