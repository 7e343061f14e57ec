"""Owner-only page for organizer accounts: list, add with a role, change the role, end
sessions, deactivate."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, refresh
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.languages import language_choices
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.forms import ROLE_LABELS, LanguageForm, OrganizerForm, RoleForm
from campaign.organizers.models import Role
from campaign.organizers.service import (
    OrganizerError, change_role, create_organizer, deactivate_organizer, end_sessions,
    get_organizer, organizers_page, set_language,
)
from campaign.web import page_number

ORGANIZERS_PER_PAGE = 100


def _page(form, status: int = 200):
    page = organizers_page(page=page_number(), per_page=ORGANIZERS_PER_PAGE)
    return render_template("dashboard/organizers.html", page=page, form=form,
                           role_labels=ROLE_LABELS), status


@bp.get("/organizers")
@require_role(Role.owner)
def organizers():
    return _page(OrganizerForm())


@bp.post("/organizers")
@require_role(Role.owner)
def organizer_create():
    form = OrganizerForm()
    if form.validate_on_submit():
        try:
            organizer = create_organizer(form.email.data, form.name.data, form.password.data,
                                         Role[form.role.data])
        except OrganizerError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash(_("%(email)s can now log in as %(role)s.", email=organizer.email,
                    role=organizer.role.name))
            return redirect(url_for("dashboard.organizers"), 303)
    return _page(form, status=400)


@bp.route("/organizers/<int:organizer_id>/deactivate", methods=["GET", "POST"])
@require_role(Role.owner)
def organizer_deactivate(organizer_id: int):
    """GET asks first; the POST of that page deactivates."""
    organizer = get_organizer(organizer_id)
    if request.method == "GET":
        return confirmation(
            _("Deactivate %(name)s?", name=organizer.name),
            [_("%(name)s (%(email)s) will be logged out everywhere and can no longer log in. "
               "What they did stays in the audit log under their name.",
               name=organizer.name, email=organizer.email)],
            url_for("dashboard.organizer_deactivate", organizer_id=organizer.id),
            _("Deactivate"), url_for("dashboard.organizers"))
    try:
        deactivate_organizer(organizer, actor=current_user)
    except OrganizerError as error:
        flash(str(error))
    else:
        flash(_("%(email)s can no longer log in.", email=organizer.email))
    return redirect(url_for("dashboard.organizers"), 303)


@bp.post("/organizers/<int:organizer_id>/role")
@require_role(Role.owner)
def organizer_role(organizer_id: int):
    organizer = get_organizer(organizer_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        change_role(organizer, Role[form.role.data], actor=current_user)
    except OrganizerError as error:
        flash(str(error))
    else:
        flash(_("%(email)s is now %(role)s, from their next log-in.", email=organizer.email,
                role=organizer.role.name))
    return redirect(url_for("dashboard.organizers"), 303)


@bp.route("/organizers/<int:organizer_id>/end-sessions", methods=["GET", "POST"])
@require_role(Role.owner)
def organizer_end_sessions(organizer_id: int):
    """GET asks first; the POST of that page ends the sessions."""
    organizer = get_organizer(organizer_id)
    if request.method == "GET":
        return confirmation(
            _("End all sessions of %(name)s?", name=organizer.name),
            [_("%(name)s will be logged out in every browser and on every device, and must "
               "log in again with their password. Their account and role stay as they are.",
               name=organizer.name)],
            url_for("dashboard.organizer_end_sessions", organizer_id=organizer.id),
            _("End all sessions"), url_for("dashboard.organizers"))
    end_sessions(organizer, actor=current_user)
    flash(_("All sessions of %(email)s have ended; they must log in again.",
            email=organizer.email))
    return redirect(url_for("dashboard.organizers"), 303)


@bp.before_request
def _organizers_own_language():
    """The dashboard speaks the language its organizer chose (`common.languages`)."""
    if current_user.is_authenticated:
        g.interface_language = current_user.language


@bp.route("/language", methods=["GET", "POST"])
@require_role(Role.viewer)
def language():
    """Every organizer chooses the language the dashboard speaks to them."""
    form = LanguageForm.offering(language_choices(), current_user.language)
    if form.validate_on_submit():
        try:
            set_language(current_user, form.language.data)
        except OrganizerError as error:
            show_error(form, error)
        else:
            g.interface_language = current_user.language
            refresh()
            flash(_("The dashboard now speaks this language."))
            return redirect(url_for("dashboard.language"), 303)
    status = 400 if form.errors else 200
    return render_template("dashboard/language.html", form=form), status
