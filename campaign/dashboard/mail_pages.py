"""The outbox as organizers see it: what waits, what failed and why, what was sent; editors
retry; owners open a message, and read its text where no mailbox receives it (console mail)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign.dashboard.shared import private
from campaign.dashboard.views import bp
from campaign.mail.models import OutboxStatus
from campaign.mail.service import (
    message_bodies,
    MailError, MessageNotFound, get_message, message_text_is_shown, outbox_page, retry,
    waiting_counts,
)
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.web import page_number

MESSAGES_PER_PAGE = 50
#: The filter choices; "waiting" (pending, being sent and failed) is what needs attention.
_SHOWN = {
    "waiting": (OutboxStatus.pending, OutboxStatus.sending, OutboxStatus.failed),
    "pending": (OutboxStatus.pending, OutboxStatus.sending),
    "failed": (OutboxStatus.failed,),
    "sent": (OutboxStatus.sent,),
}


@bp.get("/mail")
@require_role(Role.viewer)
def outbox():
    shown = request.args.get("status", "waiting")
    if shown not in _SHOWN:
        abort(400)
    page = outbox_page(_SHOWN[shown], page=page_number(), per_page=MESSAGES_PER_PAGE)
    return render_template(
        "dashboard/mail.html", page=page, shown=shown, filters=list(_SHOWN),
        counts=waiting_counts(), OutboxStatus=OutboxStatus, Role=Role,
    )


@bp.get("/mail/<int:message_id>")
@require_role(Role.owner)
def mail_message(message_id: int):
    try:
        message = get_message(message_id)
    except MessageNotFound:
        abort(404)
    return private(render_template("dashboard/mail_message.html", message=message,
                                   body_text=message_bodies(message)[0],
                                   text_shown=message_text_is_shown()))


@bp.post("/mail/<int:message_id>/retry")
@require_role(Role.editor)
def retry_mail(message_id: int):
    try:
        retry(message_id)
    except MessageNotFound:
        abort(404)
    except MailError as error:
        flash(str(error))
    else:
        flash(_("The message will be sent again now."))
    return redirect(url_for("dashboard.outbox", status="failed"), 303)
