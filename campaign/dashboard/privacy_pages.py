"""Owner-only privacy pages: look a person up by email, export or erase their data; the audit log.

Addresses travel in POST bodies only, so they never land in URLs, logs or browser history.
"""
import json
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from campaign.dashboard.shared import confirmation, private
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.audit.describe import action_label, describe
from campaign.audit.service import audit_actions, audit_page
from campaign.privacy.duties import (
    PersonRecords, PrivacyError, erase_person, export_person, find_person, privacy_history,
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
    return _person_page(form.email.data, form)


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
    """The person page's button asks first (the address stays in the POST body); the button of
    that question, which adds `confirm`, erases."""
    form = EraseForm()
    if not form.validate():
        return private(render_template("dashboard/privacy.html", form=form), 400)
    try:
        if not form.confirm.data:
            return _erase_question(find_person(form.email.data))
        erased = erase_person(form.email.data)
    except PrivacyError as error:
        form.email.errors.append(str(error))
        return private(render_template("dashboard/privacy.html", form=form), 400)
    flash(_("Erased everything held on that address: %(signatures)d signatures, "
            "%(registrations)d registrations, %(messages)d messages.",
            signatures=len(erased.signatures), registrations=len(erased.registrations),
            messages=len(erased.messages)))
    return redirect(url_for("dashboard.privacy"), 303)


def _erase_question(person: PersonRecords):
    return private(*confirmation(
        _("Erase everything held on %(email)s?", email=person.email),
        [_("The name, email, affiliation and comment of %(signatures)s and %(registrations)s "
           "will be wiped and %(emails)s deleted. The signatures stop counting; the "
           "registrations are cancelled and their places go to the waiting list.",
           signatures=ngettext("%(num)d signature", "%(num)d signatures",
                               len(person.signatures)),
           registrations=ngettext("%(num)d registration", "%(num)d registrations",
                                  len(person.registrations)),
           emails=ngettext("%(num)d email", "%(num)d emails", len(person.messages))),
         _("This cannot be undone.")],
        url_for("dashboard.privacy_erase"), _("Erase everything"), url_for("dashboard.privacy"),
        hidden={"email": person.email, "confirm": "y"},
    ))


def _person_page(email: str, form: PersonForm, status: int = 200):
    try:
        person = find_person(email)
    except PrivacyError as error:
        form.email.errors.append(str(error))
        return private(render_template("dashboard/privacy.html", form=form), 400)
    return private(render_template(
        "dashboard/privacy.html", form=form, person=person,
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
