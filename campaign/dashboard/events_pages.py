"""Organizer pages for events: details and status, speakers, tickets, the appeal, registrations,
check-in at the door, the printable door list and the CSV export.

Reading (and exporting) needs a viewer; every change needs an editor. Pages that show a form
answer GET for viewers and POST for editors on the same address, as the statement pages do.
"""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.time import utcnow
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.events import service
from campaign.events.forms import (
    AppealForm, CheckInSearchForm, EventForm, RegistrationSearchForm, SpeakerForm, TicketForm,
)
from campaign.events.models import Event, EventStatus, Registration, RegistrationStatus, Speaker, TicketType
from campaign.events.money import to_major_text
from campaign.exports.csv import csv_download
from campaign.exports.registrations import export_filename, registrations_csv
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.web import page_number

REGISTRATIONS_PER_PAGE = 50


def _event_or_404(event_id: int) -> Event:
    event = service.event_by_id(event_id)
    if event is None:
        abort(404)
    return event


def _child_or_404(model, child_id: int, event: Event):
    """A speaker, ticket or registration of this event (never of another one)."""
    child = service.event_part(event, model, child_id)
    if child is None:
        abort(404)
    return child


def _back_to(endpoint: str, event: Event, anchor: str | None = None, **args):
    return redirect(url_for(endpoint, event_id=event.id, _anchor=anchor, **args), 303)


# -- Events ---------------------------------------------------------------------------------------


def _event_form(**kwargs) -> EventForm:
    return EventForm(**kwargs).with_choices(
        service.campaigns(), service.statements(), current_app.config["CAMPAIGN_NAME"]
    )


@bp.get("/events")
@require_role(Role.viewer)
def events():
    listed = service.all_events()
    return render_template("dashboard/events.html", events=listed,
                           figures={event.id: service.figures(event) for event in listed},
                           can_edit=current_user.can(Role.editor))


@bp.route("/events/new", methods=["GET", "POST"])
@require_role(Role.editor)
def event_new():
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = service.create_event(form.details())
        except service.EventError as error:
            show_error(form, error)
        else:
            flash(_("The event is saved as a draft. Add speakers and tickets, then publish it."))
            return _back_to("dashboard.event_edit", event)
    return render_template("dashboard/events_new.html", form=form), 400 if form.errors else 200


def _event_page(event: Event, form: EventForm, status: int = 200):
    return render_template(
        "dashboard/events_event.html", event=event, form=form,
        figures=service.figures(event), pledges=service.appeal_pledges(event),
        tickets=event.ticket_types, speakers=event.speakers,
        can_edit=current_user.can(Role.editor),
    ), status


@bp.get("/events/<int:event_id>")
@require_role(Role.viewer)
def event_edit(event_id: int):
    event = _event_or_404(event_id)
    return _event_page(event, _event_form(data=vars(service.details_of(event))))


@bp.post("/events/<int:event_id>")
@require_role(Role.editor)
def event_update(event_id: int):
    event = _event_or_404(event_id)
    form = _event_form()
    if form.validate_on_submit():
        try:
            service.update_event(event, form.details())
        except service.EventError as error:
            show_error(form, error)
        else:
            flash(_("Saved."))
            return _back_to("dashboard.event_edit", event)
    return _event_page(event, form, status=400)


_STATUS_ACTIONS = {
    "publish": EventStatus.published,
    "unpublish": EventStatus.draft,
    "cancel": EventStatus.cancelled,
}


@bp.get("/events/<int:event_id>/cancel")
@require_role(Role.editor)
def event_cancel(event_id: int):
    """Asks before cancelling; the POST of its page is `event_status`'s cancel."""
    event = _event_or_404(event_id)
    registered = service.figures(event).registered
    emailed = ngettext(
        "%(num)d person registered, confirmed or on the waiting list, will be emailed that it "
        "is cancelled.",
        "%(num)d people registered, confirmed or on the waiting list, will be emailed that it "
        "is cancelled.", registered) if registered else _(
        "Nobody has registered, so nobody will be emailed.")
    return confirmation(
        _("Cancel “%(title)s”?", title=event.title),
        [_("The event page will say it is cancelled, and registration closes."), emailed,
         _("Everyone who paid online is refunded through the payment provider and told so; a "
           "refund that fails shows on the event's payments page, with a retry.")],
        url_for("dashboard.event_status", event_id=event.id, action="cancel"),
        _("Cancel the event"), url_for("dashboard.event_edit", event_id=event.id))


@bp.post("/events/<int:event_id>/<any(publish, unpublish, cancel):action>")
@require_role(Role.editor)
def event_status(event_id: int, action: str):
    event = service.set_status(_event_or_404(event_id), _STATUS_ACTIONS[action])
    flash({
        "publish": _("The event is published: its page is public and registration follows its times."),
        "unpublish": _("The event is back to draft: only organizers can see its page."),
        "cancel": _("The event is cancelled; everyone registered has been emailed."),
    }[action])
    return _back_to("dashboard.event_edit", event)


# -- Speakers -------------------------------------------------------------------------------------


def _speakers_page(event: Event, form: SpeakerForm, status: int = 200):
    return render_template("dashboard/events_speakers.html", event=event, form=form,
                           speakers=event.speakers, can_edit=current_user.can(Role.editor)), status


@bp.get("/events/<int:event_id>/speakers")
@require_role(Role.viewer)
def event_speakers(event_id: int):
    return _speakers_page(_event_or_404(event_id), SpeakerForm())


@bp.post("/events/<int:event_id>/speakers")
@require_role(Role.editor)
def speaker_add(event_id: int):
    event = _event_or_404(event_id)
    form = SpeakerForm()
    if not form.validate_on_submit():
        return _speakers_page(event, form, status=400)
    service.add_speaker(event, form.name.data, form.role.data or "", form.bio.data or "")
    flash(_("Speaker added."))
    return _back_to("dashboard.event_speakers", event)


@bp.get("/events/<int:event_id>/speakers/<int:speaker_id>")
@require_role(Role.viewer)
def speaker_edit(event_id: int, speaker_id: int):
    event = _event_or_404(event_id)
    speaker = _child_or_404(Speaker, speaker_id, event)
    return render_template("dashboard/events_speaker.html", event=event, speaker=speaker,
                           form=SpeakerForm(obj=speaker), can_edit=current_user.can(Role.editor))


@bp.post("/events/<int:event_id>/speakers/<int:speaker_id>")
@require_role(Role.editor)
def speaker_update(event_id: int, speaker_id: int):
    event = _event_or_404(event_id)
    speaker = _child_or_404(Speaker, speaker_id, event)
    form = SpeakerForm()
    if not form.validate_on_submit():
        return render_template("dashboard/events_speaker.html", event=event, speaker=speaker,
                               form=form, can_edit=True), 400
    service.update_speaker(speaker, form.name.data, form.role.data or "", form.bio.data or "")
    flash(_("Speaker saved."))
    return _back_to("dashboard.event_speakers", event)


@bp.route("/events/<int:event_id>/speakers/<int:speaker_id>/delete", methods=["GET", "POST"])
@require_role(Role.editor)
def speaker_delete(event_id: int, speaker_id: int):
    """GET asks first; the POST of that page removes the speaker."""
    event = _event_or_404(event_id)
    speaker = _child_or_404(Speaker, speaker_id, event)
    if request.method == "GET":
        return confirmation(
            _("Remove %(name)s from the speakers?", name=speaker.name),
            [_("%(name)s and what is written about them will no longer be shown on the page of "
               "“%(title)s”; the speakers after them move up.", name=speaker.name,
               title=event.title)],
            url_for("dashboard.speaker_delete", event_id=event.id, speaker_id=speaker.id),
            _("Remove the speaker"), url_for("dashboard.event_speakers", event_id=event.id))
    service.delete_speaker(speaker)
    flash(_("Speaker removed."))
    return _back_to("dashboard.event_speakers", event)


@bp.post("/events/<int:event_id>/speakers/<int:speaker_id>/<any(up, down):direction>")
@require_role(Role.editor)
def speaker_move(event_id: int, speaker_id: int, direction: str):
    event = _event_or_404(event_id)
    service.move_speaker(_child_or_404(Speaker, speaker_id, event), -1 if direction == "up" else 1)
    return _back_to("dashboard.event_speakers", event)


# -- Tickets and the appeal -----------------------------------------------------------------------


def _tickets_page(event: Event, form: TicketForm, status: int = 200):
    return render_template("dashboard/events_tickets.html", event=event, form=form,
                           tickets=event.ticket_types, full=service.tickets_full(event),
                           can_edit=current_user.can(Role.editor)), status


@bp.get("/events/<int:event_id>/tickets")
@require_role(Role.viewer)
def event_tickets(event_id: int):
    return _tickets_page(_event_or_404(event_id), TicketForm())


@bp.post("/events/<int:event_id>/tickets")
@require_role(Role.editor)
def ticket_add(event_id: int):
    event = _event_or_404(event_id)
    form = TicketForm()
    if form.validate_on_submit():
        try:
            service.add_ticket(event, form.details())
        except service.EventError as error:
            show_error(form, error)
        else:
            flash(_("Ticket added."))
            return _back_to("dashboard.event_tickets", event)
    return _tickets_page(event, form, status=400)


def _ticket_form_data(ticket: TicketType) -> dict:
    return {
        "name": ticket.name, "description": ticket.description, "currency": ticket.currency,
        "price": to_major_text(ticket.price_minor, ticket.currency),
        "min_price": to_major_text(ticket.min_price_minor, ticket.currency),
        "capacity": ticket.capacity, "payment_methods": ticket.payment_methods,
    }


@bp.get("/events/<int:event_id>/tickets/<int:ticket_id>")
@require_role(Role.viewer)
def ticket_edit(event_id: int, ticket_id: int):
    event = _event_or_404(event_id)
    ticket = _child_or_404(TicketType, ticket_id, event)
    return render_template("dashboard/events_ticket.html", event=event, ticket=ticket,
                           form=TicketForm(data=_ticket_form_data(ticket)),
                           can_edit=current_user.can(Role.editor))


@bp.post("/events/<int:event_id>/tickets/<int:ticket_id>")
@require_role(Role.editor)
def ticket_update(event_id: int, ticket_id: int):
    event = _event_or_404(event_id)
    ticket = _child_or_404(TicketType, ticket_id, event)
    form = TicketForm()
    if form.validate_on_submit():
        try:
            service.update_ticket(ticket, form.details())
        except service.EventError as error:
            show_error(form, error)
        else:
            flash(_("Ticket saved."))
            return _back_to("dashboard.event_tickets", event)
    return render_template("dashboard/events_ticket.html", event=event, ticket=ticket, form=form,
                           can_edit=True), 400


@bp.route("/events/<int:event_id>/tickets/<int:ticket_id>/delete", methods=["GET", "POST"])
@require_role(Role.editor)
def ticket_delete(event_id: int, ticket_id: int):
    """GET asks first; the POST of that page deletes the ticket (if nobody registered with it)."""
    event = _event_or_404(event_id)
    ticket = _child_or_404(TicketType, ticket_id, event)
    if request.method == "GET":
        return confirmation(
            _("Delete the ticket “%(name)s”?", name=ticket.name),
            [_("Nobody will be able to register for “%(title)s” with the ticket “%(name)s” "
               "any more. A ticket people have registered with is kept: set its places to 0 "
               "instead.", title=event.title, name=ticket.name)],
            url_for("dashboard.ticket_delete", event_id=event.id, ticket_id=ticket.id),
            _("Delete the ticket"), url_for("dashboard.event_tickets", event_id=event.id))
    try:
        service.delete_ticket(ticket)
    except service.EventError as error:
        flash(error.message)
    else:
        flash(_("Ticket deleted."))
    return _back_to("dashboard.event_tickets", event)


def _appeal_page(event: Event, form: AppealForm, status: int = 200):
    return render_template("dashboard/events_appeal.html", event=event, form=form,
                           appeal=event.appeal, pledges=service.appeal_pledges(event),
                           can_edit=current_user.can(Role.editor)), status


@bp.get("/events/<int:event_id>/appeal")
@require_role(Role.viewer)
def event_appeal(event_id: int):
    event = _event_or_404(event_id)
    appeal = event.appeal
    data = {} if appeal is None else {
        "name": appeal.name, "description": appeal.description, "currency": appeal.currency,
        "target": to_major_text(appeal.target_minor, appeal.currency), "website": appeal.website,
    }
    return _appeal_page(event, AppealForm(data=data))


@bp.post("/events/<int:event_id>/appeal")
@require_role(Role.editor)
def appeal_save(event_id: int):
    event = _event_or_404(event_id)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            service.save_appeal(event, form.details())
        except service.EventError as error:
            show_error(form, error)
        else:
            flash(_("Appeal saved."))
            return _back_to("dashboard.event_appeal", event)
    return _appeal_page(event, form, status=400)


@bp.route("/events/<int:event_id>/appeal/detach", methods=["GET", "POST"])
@require_role(Role.editor)
def appeal_detach(event_id: int):
    """GET asks first; the POST of that page detaches the appeal."""
    event = _event_or_404(event_id)
    if request.method == "GET":
        if event.appeal is None:
            return _back_to("dashboard.event_appeal", event)
        return confirmation(
            _("Stop showing the appeal “%(name)s”?", name=event.appeal.name),
            [_("The page of “%(title)s” will no longer show the appeal “%(name)s” or what was "
               "pledged to it. The pledges already made stay with the registrations.",
               title=event.title, name=event.appeal.name)],
            url_for("dashboard.appeal_detach", event_id=event.id),
            _("Stop showing the appeal"), url_for("dashboard.event_appeal", event_id=event.id))
    service.detach_appeal(event)
    flash(_("The appeal is no longer shown with this event."))
    return _back_to("dashboard.event_appeal", event)


# -- Registrations --------------------------------------------------------------------------------


def _search(event: Event) -> RegistrationSearchForm:
    form = RegistrationSearchForm(request.args).for_event(event)
    if not form.validate():
        abort(400)
    return form


@bp.get("/events/<int:event_id>/registrations")
@require_role(Role.viewer)
def event_registrations(event_id: int):
    event = _event_or_404(event_id)
    search = _search(event)
    status = RegistrationStatus(search.status.data) if search.status.data else None
    page = service.registrations_page(event.id, page_number(), REGISTRATIONS_PER_PAGE,
                                      search.q.data or "", status, search.ticket.data)
    filters = {key: value for key, value in (("q", search.q.data), ("status", search.status.data),
                                             ("ticket", search.ticket.data)) if value}
    return render_template(
        "dashboard/events_registrations.html", event=event, search=search, page=page,
        filters=filters, figures=service.figures(event), can_edit=current_user.can(Role.editor),
        places={r.id: service.waitlist_place(r) for r in page.items
                if r.status is RegistrationStatus.waitlisted},
        settled={r.id: service.is_settled(r) for r in page.items},
        paid_by_hand={r.id: service.is_paid_by_hand(r) for r in page.items},
    )


_REGISTRATION_ACTIONS = {
    "confirm": (service.confirm_from_waitlist, lambda: _("%(name)s now has a confirmed place.")),
    "waitlist": (service.move_to_waitlist, lambda: _("%(name)s is back on the waiting list.")),
    "paid": (lambda r: service.set_paid(r, True), lambda: _("%(name)s is marked as paid.")),
    "unpaid": (lambda r: service.set_paid(r, False), lambda: _("%(name)s is marked as not paid.")),
    "cancel": (lambda r: service.cancel_registration(r, by_organizer=True),
               lambda: _("The registration of %(name)s is cancelled.")),
}


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/"
         "<any(confirm, waitlist, paid, unpaid, cancel):action>")
@require_role(Role.editor)
def registration_action(event_id: int, registration_id: int, action: str):
    event = _event_or_404(event_id)
    registration = _child_or_404(Registration, registration_id, event)
    change, message = _REGISTRATION_ACTIONS[action]
    try:
        change(registration)
    except service.EventError as error:
        flash(error.message)
    else:
        flash(message() % {"name": registration.name})
    back = {key: request.form[key] for key in ("q", "status", "ticket", "page")
            if request.form.get(key)}
    return _back_to("dashboard.event_registrations", event, **back)


@bp.get("/events/<int:event_id>/registrations.csv")
@require_role(Role.viewer)
def registrations_export(event_id: int):
    """The registrants as CSV, streamed and audited; ?bom=1 for old spreadsheet programs."""
    event = _event_or_404(event_id)
    lines = registrations_csv(event, bom=request.args.get("bom") == "1")
    return csv_download(lines, export_filename(event, utcnow().date()))


# -- At the door ----------------------------------------------------------------------------------


def _checkin_page(event: Event, search: CheckInSearchForm):
    query = search.q.data if search.validate() else ""
    found = service.find_for_checkin(event.id, query or "")
    return render_template(
        "dashboard/events_checkin.html", event=event, search=search, query=query or "",
        found=found, figures=service.figures(event), can_edit=current_user.can(Role.editor),
        unpaid={r.id for r in found if not service.is_settled(r)},
    )


@bp.get("/events/<int:event_id>/check-in")
@require_role(Role.viewer)
def event_checkin(event_id: int):
    return _checkin_page(_event_or_404(event_id), CheckInSearchForm(request.args))


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>")
@require_role(Role.editor)
def registration_check_in(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _child_or_404(Registration, registration_id, event)
    try:
        arrived = service.check_in(registration)
    except service.EventError as error:
        flash(error.message)
    else:
        flash(_("Checked in: %(name)s.", name=registration.name) if arrived
              else _("%(name)s was already checked in.", name=registration.name))
    return _back_to("dashboard.event_checkin", event, q=request.form.get("q") or None)


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>/undo")
@require_role(Role.editor)
def registration_check_in_undo(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _child_or_404(Registration, registration_id, event)
    service.undo_check_in(registration)
    flash(_("Check-in undone for %(name)s.", name=registration.name))
    return _back_to("dashboard.event_checkin", event, q=request.form.get("q") or None)


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>/paid")
@require_role(Role.editor)
def registration_paid_at_door(event_id: int, registration_id: int):
    """Take the payment of a pay-at-the-door ticket without leaving the check-in screen."""
    event = _event_or_404(event_id)
    registration = _child_or_404(Registration, registration_id, event)
    try:
        service.set_paid(registration, True)
    except service.EventError as error:
        flash(error.message)
    else:
        flash(_("%(name)s is marked as paid.", name=registration.name))
    return _back_to("dashboard.event_checkin", event, q=request.form.get("q") or None)


@bp.get("/events/<int:event_id>/door-list")
@require_role(Role.viewer)
def event_door_list(event_id: int):
    event = _event_or_404(event_id)
    return render_template("dashboard/events_door_list.html", event=event,
                           registrants=service.door_list(event), figures=service.figures(event),
                           settled=service.is_settled)
