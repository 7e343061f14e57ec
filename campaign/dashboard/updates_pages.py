"""Organizer pages for updates by email: write one, preview it for a sample recipient, send a
test to oneself, send it now or at a time, watch it go out, stop it halfway.

Reading needs a viewer; writing, testing, sending and stopping need an editor.
"""
from datetime import timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.dates import format_datetime
from campaign.common.forms import show_error
from campaign.dashboard.shared import confirmation, private
from campaign.dashboard.views import bp
from campaign.events.service import event_by_id
from campaign.news.service import email_content, get_post
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.updates import service
from campaign.updates.forms import GROUP_LABELS, STATUS_LABELS, ScheduleForm, UpdateForm
from campaign.updates.models import RegistrantGroup, Update

#: Seconds between reloads of a page showing a send in progress.
REFRESH_SECONDS = 5


def _update_or_404(update_id: int) -> Update:
    try:
        return service.get_update(update_id)
    except service.UpdateError:
        abort(404)


@bp.get("/updates")
@require_role(Role.viewer)
def updates():
    listed = service.list_updates()
    return render_template(
        "dashboard/updates.html", updates=listed,
        progress={item.id: service.progress_of(item) for item in listed},
        refresh=REFRESH_SECONDS if any(item.is_in_progress for item in listed) else None,
        status_labels=STATUS_LABELS, can_edit=current_user.can(Role.editor))


@bp.route("/updates/new", methods=["GET", "POST"])
@require_role(Role.editor)
def update_new():
    form = UpdateForm().with_audiences(service.audience_choices())
    if request.method == "GET":
        event_id = request.args.get("event_id", 0, type=int)
        event = event_by_id(event_id) if 0 < event_id < 2**31 else None
        if event is not None:
            form.audience.data = f"event:{event.slug}"
        post_id = request.args.get("post_id", 0, type=int)
        if 0 < post_id < 2**31:
            content = email_content(get_post(post_id))
            form.subject.data, form.body.data = content.subject, content.body
    if form.validate_on_submit():
        try:
            item = service.create_update(
                service.parse_audience(form.audience.data), form.subject.data, form.body.data,
                registrant_group=RegistrantGroup(form.registrant_group.data),
                country=form.country.data or "", source=form.source.data or "",
                created_by=current_user.email)
        except service.UpdateError as error:
            show_error(form, error)
        else:
            flash(_("The update is saved. Check the preview, send yourself a test, then send it."))
            return redirect(url_for("dashboard.update_detail", update_id=item.id), 303)
    return render_template("dashboard/updates_new.html", form=form), 400 if form.errors else 200


@bp.get("/updates/<int:update_id>")
@require_role(Role.viewer)
def update_detail(update_id: int):
    item = _update_or_404(update_id)
    return private(render_template(
        "dashboard/updates_update.html", update=item, progress=service.progress_of(item),
        reach=service.audience_count(item) if item.can_be_sent else None,
        preview=service.preview(item), group_label=GROUP_LABELS[item.registrant_group],
        schedule_form=ScheduleForm(), status_labels=STATUS_LABELS, can_edit=current_user.can(Role.editor),
        refresh=REFRESH_SECONDS if item.is_in_progress else None))


@bp.post("/updates/<int:update_id>/test")
@require_role(Role.editor)
def update_test(update_id: int):
    service.send_test(_update_or_404(update_id), current_user.email)
    flash(_("A test is on its way to %(email)s.", email=current_user.email))
    return redirect(url_for("dashboard.update_detail", update_id=update_id), 303)


@bp.route("/updates/<int:update_id>/send", methods=["GET", "POST"])
@require_role(Role.editor)
def update_send(update_id: int):
    item = _update_or_404(update_id)
    form = ScheduleForm(request.values, meta={"csrf": request.method == "POST"})
    if not form.validate():
        flash(_("Enter the time as a date and a time, or leave it empty to send now."))
        return redirect(url_for("dashboard.update_detail", update_id=update_id), 303)
    at = form.send_at.data.replace(tzinfo=timezone.utc) if form.send_at.data else None
    if request.method == "GET":
        reach = service.audience_count(item)
        when = _("at %(time)s", time=format_datetime(at)) if at else _("now")
        return confirmation(
            _("Send “%(subject)s” %(when)s?", subject=item.subject, when=when),
            [_("It goes to the %(count)d people in its audience at the time it is sent; "
               "anyone who unsubscribes before then is left out.", count=reach),
             _("An email cannot be taken back once it is delivered; you can stop the rest.")],
            url_for("dashboard.update_send", update_id=item.id), _("Send the update"),
            url_for("dashboard.update_detail", update_id=item.id),
            hidden={"send_at": request.values.get("send_at", "")})
    try:
        service.send_update(item, at)
    except service.UpdateError as error:
        flash(error.message)
    else:
        flash(_("The update is on its way.") if at is None else _("The update is scheduled."))
    return redirect(url_for("dashboard.update_detail", update_id=update_id), 303)


@bp.route("/updates/<int:update_id>/stop", methods=["GET", "POST"])
@require_role(Role.editor)
def update_stop(update_id: int):
    item = _update_or_404(update_id)
    if request.method == "GET":
        return confirmation(
            _("Stop sending “%(subject)s”?", subject=item.subject),
            [_("Nobody who has not been sent it yet will get it. Those already sent it keep it."),
             _("A stopped update cannot be started again.")],
            url_for("dashboard.update_stop", update_id=item.id), _("Stop sending"),
            url_for("dashboard.update_detail", update_id=item.id))
    try:
        service.stop_update(item)
    except service.UpdateError as error:
        flash(error.message)
    else:
        flash(_("Sending is stopped."))
    return redirect(url_for("dashboard.update_detail", update_id=update_id), 303)
