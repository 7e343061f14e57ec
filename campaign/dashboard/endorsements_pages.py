"""Organizer pages for a statement's endorsing organisations: the list, approving what the
public form sent, entering one, removing one (asked first), and the CSV export."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.logo import LogoError
from campaign.common.time import utcnow
from campaign.dashboard.shared import confirmation, private
from campaign.dashboard.views import bp
from campaign.endorsements import service
from campaign.endorsements.forms import KIND_LABELS, OrganisationForm
from campaign.exports.csv import csv_download
from campaign.exports.endorsements import endorsements_csv, export_filename
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.statements.service import get_statement


@bp.get("/statements/<int:statement_id>/endorsements")
@require_role(Role.viewer)
def endorsements(statement_id: int):
    statement = get_statement(statement_id)
    return private(render_template(
        "dashboard/endorsements.html", statement=statement,
        endorsements=service.all_endorsements(statement.id), kinds=KIND_LABELS,
        can_edit=current_user.can(Role.editor),
    ))


@bp.route("/statements/<int:statement_id>/endorsements/new", methods=["GET", "POST"])
@require_role(Role.editor)
def endorsement_new(statement_id: int):
    """An endorsement the organizers received another way: approved at once."""
    statement = get_statement(statement_id)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            endorsement = service.add_endorsement(statement, form.details(), current_user)
        except (service.EndorsementError, LogoError) as error:
            show_error(form, error)
        else:
            flash(_("%(name)s is listed as endorsing the statement.", name=endorsement.name))
            return redirect(url_for("dashboard.endorsements", statement_id=statement.id), 303)
    html = render_template("dashboard/endorsement_new.html", statement=statement, form=form)
    return html, (400 if form.errors else 200)


@bp.post("/endorsements/<int:endorsement_id>/approve")
@require_role(Role.editor)
def endorsement_approve(endorsement_id: int):
    endorsement = service.get_endorsement(endorsement_id)
    service.approve(endorsement)
    flash(_("%(name)s is now shown as endorsing the statement.", name=endorsement.name))
    return redirect(url_for("dashboard.endorsements", statement_id=endorsement.statement_id), 303)


@bp.route("/endorsements/<int:endorsement_id>/remove", methods=["GET", "POST"])
@require_role(Role.editor)
def endorsement_remove(endorsement_id: int):
    """GET asks to confirm; the POST of that page removes."""
    endorsement = service.get_endorsement(endorsement_id)
    statement_id, name = endorsement.statement_id, endorsement.name
    back = url_for("dashboard.endorsements", statement_id=statement_id)
    if request.method == "POST":
        service.remove(endorsement)
        flash(_("The endorsement of %(name)s is removed.", name=name))
        return redirect(back, 303)
    return confirmation(
        _("Remove this endorsement?"),
        [_("%(name)s will no longer be listed as endorsing “%(title)s”, and its logo and "
           "contact address are deleted. This cannot be undone.", name=name,
           title=endorsement.statement.title)],
        url_for("dashboard.endorsement_remove", endorsement_id=endorsement_id),
        _("Remove the endorsement"), back,
    )


@bp.get("/endorsements/<int:endorsement_id>/logo.png")
@require_role(Role.viewer)
def endorsement_logo(endorsement_id: int):
    """Any endorsement's logo, approved or not, for the organizers deciding."""
    endorsement = service.get_endorsement(endorsement_id)
    if not endorsement.has_logo:
        abort(404)
    response = make_response(endorsement.logo_png)
    response.mimetype = "image/png"
    return private(response)


@bp.get("/statements/<int:statement_id>/endorsements.csv")
@require_role(Role.viewer)
def endorsements_export(statement_id: int):
    """Every endorsement as CSV, with the contact addresses; ?bom=1 for old spreadsheets."""
    statement = get_statement(statement_id)
    lines = endorsements_csv(statement, bom=request.args.get("bom") == "1")
    return csv_download(lines, export_filename(statement, utcnow().date()))
