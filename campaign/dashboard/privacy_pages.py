"""Owner-only privacy pages: look a person up by email, export or erase their data; the audit log.

Addresses travel in POST bodies only, so they never land in URLs, logs or browser history.
"""
import json
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from campaign.dashboard.shared import private
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.audit.describe import action_label, describe
from campaign.audit.service import audit_actions, audit_page
from campaign.privacy.duties import (
    PrivacyError, erase_person, export_person, find_person, privacy_history,
)
from campaign.privacy.forms import EraseForm, PersonForm
from campaign.web import page_number

AUDIT_PER_PAGE = 50


@bp.route("/privacy", methods=["GET", "POST"])
@require_role(Role.owner)
def privacy():
    form = PersonForm()
    if request.method == "GET":
        return private(render_template("dashboard/privacy.html", form=form))
    if not form.validate():
        return private(render_template("dashboard/privacy.html", form=form), 400)
    return _person_page(form.email.data, form, EraseForm(email=form.email.data))


@bp.post("/privacy/export")
@require_role(Role.owner)
def privacy_export():
    form = PersonForm()
    if not form.validate():
        return private(render_template("dashboard/privacy.html", form=form), 400)
    try:
        data = export_person(form.email.data)
    except PrivacyError as error:
        form.email.errors.append(str(error))
        return private(render_template("dashboard/privacy.html", form=form), 400)
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="personal-data-{date.today().isoformat()}.json"'
    )
    return private(response)


@bp.post("/privacy/erase")
@require_role(Role.owner)
def privacy_erase():
    form = EraseForm()
    if not form.validate():
        if form.email.errors:
            return private(render_template("dashboard/privacy.html", form=form), 400)
        return _person_page(form.email.data, PersonForm(email=form.email.data), form, 400)
    try:
        erased = erase_person(form.email.data)
    except PrivacyError as error:
        form.email.errors.append(str(error))
        return private(render_template("dashboard/privacy.html", form=form), 400)
    flash(_("Erased everything held on that address: %(signatures)d signatures, "
            "%(registrations)d registrations, %(messages)d messages.",
            signatures=len(erased.signatures), registrations=len(erased.registrations),
            messages=len(erased.messages)))
    return redirect(url_for("dashboard.privacy"), 303)


def _person_page(email: str, form: PersonForm, erase_form: EraseForm, status: int = 200):
    try:
        person = find_person(email)
    except PrivacyError as error:
        form.email.errors.append(str(error))
        return private(render_template("dashboard/privacy.html", form=form), 400)
    return private(render_template(
        "dashboard/privacy.html", form=form, person=person, erase_form=erase_form,
        history=describe(privacy_history(email)),
    ), status)


@bp.get("/audit")
@require_role(Role.owner)
def audit():
    action = request.args.get("action", "")
    if len(action) > 64:
        abort(400)
    page = audit_page(action, page=page_number(), per_page=AUDIT_PER_PAGE)
    return render_template("dashboard/privacy_audit.html", page=page, action=action,
                           entries=describe(page.items),
                           actions=[(name, action_label(name)) for name in audit_actions()])
