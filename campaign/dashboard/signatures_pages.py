"""Organizer pages for a statement's signatures: search, moderation, curation, CSV export.

Reading and exporting need a viewer; every change needs an editor and is a POST with CSRF.
"""
from flask import (
    Response, abort, flash, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.time import utcnow
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.exports.csv import csv_download
from campaign.exports.signatures import WHICH, export_filename, signatories_csv
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.signatures import counts, search, service
from campaign.signatures.forms import STATUS_LABELS, SignatoryDetailsForm, SignatureSearchForm
from campaign.statements.service import get_statement
from campaign.web import page_number

SIGNATURES_PER_PAGE = 50
#: The list's query-string arguments that an action carries back to it.
_LIST_ARGS = ("q", "status", "page")


@bp.get("/statements/<int:statement_id>/signatures")
@require_role(Role.viewer)
def signatures(statement_id: int):
    statement = get_statement(statement_id)
    form = SignatureSearchForm(formdata=request.args)
    valid = form.validate()
    page = search.search_signatures(
        statement, form.q.data if valid else "", form.chosen_status if valid else None,
        page=page_number(), per_page=SIGNATURES_PER_PAGE,
    )
    html = render_template(
        "dashboard/signatures.html",
        statement=statement,
        form=form,
        page=page,
        counted_up_to=search.SEARCH_COUNT_LIMIT,
        totals=counts.totals(statement.id),
        status_labels=STATUS_LABELS,
        list_args=_list_args(request.args),
        export_choices=WHICH,
        can_edit=current_user.can(Role.editor),
    )
    return html, (200 if valid else 400)


def _list_args(source) -> dict:
    return {name: source[name] for name in _LIST_ARGS if source.get(name)}


def _back_to_list(statement_id: int) -> Response:
    """To the list as the organizer left it (search, filter, page), after a POST action."""
    return redirect(url_for(
        "dashboard.signatures", statement_id=statement_id, **_list_args(request.form)
    ), 303)


_ACTIONS = {
    "hide": (service.hide, lambda: _("The signature is hidden: it no longer counts or shows.")),
    "show": (service.show, lambda: _("The signature counts and shows again.")),
    "feature": (service.feature, lambda: _("Added to the curated signatories.")),
    "unfeature": (service.unfeature, lambda: _("Removed from the curated signatories.")),
    "move-up": (lambda signature: service.move(signature, "up"), lambda: _("Moved up.")),
    "move-down": (lambda signature: service.move(signature, "down"), lambda: _("Moved down.")),
}


@bp.post("/signatures/<int:signature_id>/"
         "<any(hide, show, feature, unfeature, 'move-up', 'move-down'):action>")
@require_role(Role.editor)
def signature_action(signature_id: int, action: str):
    signature = service.get_signature(signature_id)
    statement_id = signature.statement_id
    change, message = _ACTIONS[action]
    try:
        changed = change(signature)
    except service.SignatureError as error:
        flash(str(error))
    else:
        flash(_("It is already at that end of the list.") if changed is False else message())
    return _back_to_list(statement_id)


@bp.route("/signatures/<int:signature_id>/edit", methods=["GET", "POST"])
@require_role(Role.editor)
def signature_edit(signature_id: int):
    """Correct a name or affiliation (a typo, a new title)."""
    signature = service.get_signature(signature_id)
    form = SignatoryDetailsForm(obj=signature)
    if form.validate_on_submit():
        try:
            service.correct_details(signature, form.name.data, form.affiliation.data or "")
        except service.SignatureError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash(_("The correction is saved."))
            return _back_to_list(signature.statement_id)
    html = render_template(
        "dashboard/signature_edit.html", signature=signature, form=form,
        list_args=_list_args(request.values),
    )
    return html, (400 if form.errors else 200)


@bp.route("/signatures/<int:signature_id>/delete", methods=["GET", "POST"])
@require_role(Role.editor)
def signature_delete(signature_id: int):
    """GET asks to confirm; the POST of that page deletes."""
    signature = service.get_signature(signature_id)
    statement_id = signature.statement_id
    if request.method == "POST":
        service.delete(signature)
        flash(_("The signature is deleted."))
        return _back_to_list(statement_id)
    list_args = _list_args(request.args)
    return confirmation(
        _("Delete this signature?"),
        [_("The signature of %(name)s on “%(title)s” will be removed for good: it leaves the "
           "counts and lists at once. This cannot be undone.", name=signature.name,
           title=signature.statement.title),
         _("To keep it on record but out of the counts, hide it instead.")],
        url_for("dashboard.signature_delete", signature_id=signature.id),
        _("Delete the signature"),
        url_for("dashboard.signatures", statement_id=statement_id, **list_args),
        hidden=list_args,
    )


@bp.get("/statements/<int:statement_id>/signatures.csv")
@require_role(Role.viewer)
def signatures_export(statement_id: int):
    """The signatories as CSV, streamed; ?which=all|public|curated, ?bom=1 for old spreadsheets."""
    statement = get_statement(statement_id)
    which = request.args.get("which", "all")
    if which not in WHICH:
        abort(400)
    lines = signatories_csv(statement, which=which, bom=request.args.get("bom") == "1")
    return csv_download(lines, export_filename(statement, utcnow().date()))
