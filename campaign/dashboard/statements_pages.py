"""Organizer pages for statements: the list, the editor, demands, status actions, text import.

Reading needs a viewer; every change needs an editor. The statement page answers GET
(`statement_edit`, viewers may look) and POST (`statement_update`, editors save) on one URL.
"""
from textwrap import shorten

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.statements.forms import DemandForm, ImportForm, StatementForm
from campaign.signatures.importing import import_statement
from campaign.statements.importer import decode_statement_file, parse_statement_text
from campaign.statements.service import (
    StatementError, add_demand, change_status, create_statement, delete_demand, edit_demand,
    get_demand, get_statement, has_signatures, move_demand, statements_page, status_tallies,
    update_statement,
)
from campaign.web import page_number

STATEMENTS_PER_PAGE = 50


def _invalid(template: str, **context):
    """Re-show a form with its errors, as a 400."""
    return render_template(template, **context), 400


@bp.get("")
@require_role(Role.viewer)
def index():
    page = statements_page(page=page_number(), per_page=STATEMENTS_PER_PAGE)
    totals = counts.totals_for([statement.id for statement in page.items])
    return render_template("dashboard/index.html", page=page, totals=totals,
                           tallies=status_tallies())


@bp.route("/statements/new", methods=["GET", "POST"])
@require_role(Role.editor)
def statement_new():
    form = StatementForm()
    if form.validate_on_submit():
        try:
            statement = create_statement(**form.statement_values())
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("The statement is saved as a draft. Add its demands, then publish it."))
            return redirect(url_for("dashboard.statement_edit", statement_id=statement.id), 303)
    if form.errors:
        return _invalid("dashboard/statement_new.html", form=form)
    return render_template("dashboard/statement_new.html", form=form)


def _statement_page(statement, form, demand_form, status: int = 200):
    return render_template(
        "dashboard/statement.html",
        statement=statement,
        form=form,
        demand_form=demand_form,
        totals=counts.totals(statement.id),
        signed=has_signatures(statement),
        can_edit=current_user.can(Role.editor),
    ), status


@bp.get("/statements/<int:statement_id>")
@require_role(Role.viewer)
def statement_edit(statement_id: int):
    statement = get_statement(statement_id)
    return _statement_page(statement, StatementForm(obj=statement), DemandForm())


@bp.post("/statements/<int:statement_id>")
@require_role(Role.editor)
def statement_update(statement_id: int):
    statement = get_statement(statement_id)
    form = StatementForm()
    if form.validate_on_submit():
        try:
            amended = update_statement(statement, **form.statement_values())
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("Saved. The earlier text is kept as version %(number)d.",
                    number=statement.revision - 1) if amended else _("Saved."))
            return redirect(url_for("dashboard.statement_edit", statement_id=statement.id), 303)
    return _statement_page(statement, form, DemandForm(), status=400)


@bp.post("/statements/<int:statement_id>/<any(publish, close, reopen):action>")
@require_role(Role.editor)
def statement_status(statement_id: int, action: str):
    statement = get_statement(statement_id)
    try:
        change_status(statement, action)
    except StatementError as error:
        flash(str(error))
    else:
        flash({
            "publish": _("The statement is published."),
            "close": _("Signing is closed. The statement and its signatories stay online."),
            "reopen": _("The statement is open for signing again."),
        }[action])
    return redirect(url_for("dashboard.statement_edit", statement_id=statement.id), 303)


@bp.post("/statements/<int:statement_id>/demands")
@require_role(Role.editor)
def demand_add(statement_id: int):
    statement = get_statement(statement_id)
    form = DemandForm()
    if form.validate_on_submit():
        try:
            demand = add_demand(statement, form.heading.data or "", form.body.data or "")
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("Demand %(number)d added.", number=demand.position))
            return redirect(url_for("dashboard.statement_edit", statement_id=statement.id,
                                    _anchor="demands"), 303)
    return _statement_page(statement, StatementForm(obj=statement), form, status=400)


@bp.route("/statements/<int:statement_id>/demands/<int:demand_id>", methods=["GET", "POST"])
@require_role(Role.editor)
def demand_edit(statement_id: int, demand_id: int):
    statement = get_statement(statement_id)
    demand = get_demand(statement, demand_id)
    form = DemandForm(obj=demand)
    if form.validate_on_submit():
        try:
            edit_demand(demand, form.heading.data or "", form.body.data or "")
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("Demand %(number)d saved.", number=demand.position))
            return redirect(url_for("dashboard.statement_edit", statement_id=statement.id,
                                    _anchor="demands"), 303)
    context = {"statement": statement, "demand": demand, "form": form,
               "signed": has_signatures(statement)}
    if form.errors:
        return _invalid("dashboard/demand_edit.html", **context)
    return render_template("dashboard/demand_edit.html", **context)


@bp.route("/statements/<int:statement_id>/demands/<int:demand_id>/delete",
          methods=["GET", "POST"])
@require_role(Role.editor)
def demand_delete(statement_id: int, demand_id: int):
    """GET asks first; the POST of that page deletes."""
    statement = get_statement(statement_id)
    demand = get_demand(statement, demand_id)
    position = demand.position
    if request.method == "GET":
        consequences = [_(
            "Demand %(number)d, “%(text)s”, will be taken out of “%(title)s”, and the demands "
            "after it move up one place.", number=position,
            text=shorten(demand.heading or demand.body, 80, placeholder=" …"),
            title=statement.title)]
        if has_signatures(statement):
            consequences.append(_(
                "People have signed this text, so it is kept as version %(number)d and the "
                "public page says the statement was amended.", number=statement.revision))
        return confirmation(
            _("Delete demand %(number)d?", number=position), consequences,
            url_for("dashboard.demand_delete", statement_id=statement.id, demand_id=demand.id),
            _("Delete the demand"),
            url_for("dashboard.statement_edit", statement_id=statement.id, _anchor="demands"))
    try:
        delete_demand(demand)
    except StatementError as error:
        flash(str(error))
    else:
        flash(_("Demand %(number)d deleted; the ones after it moved up.", number=position))
    return redirect(url_for("dashboard.statement_edit", statement_id=statement.id,
                            _anchor="demands"), 303)


@bp.post("/statements/<int:statement_id>/demands/<int:demand_id>/<any(up, down):direction>")
@require_role(Role.editor)
def demand_move(statement_id: int, demand_id: int, direction: str):
    statement = get_statement(statement_id)
    demand = get_demand(statement, demand_id)
    try:
        if not move_demand(demand, direction):
            flash(_("That demand is already at the end of the list."))
    except StatementError as error:
        flash(str(error))
    return redirect(url_for("dashboard.statement_edit", statement_id=statement.id,
                            _anchor="demands"), 303)


@bp.route("/statements/import", methods=["GET", "POST"])
@require_role(Role.editor)
def statement_import():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = (decode_statement_file(form.file.data.read()) if form.file.data
                    else form.text.data)
            statement = import_statement(parse_statement_text(text), slug=form.slug.data or None,
                                         publish=form.publish.data)
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("Imported “%(title)s”.", title=statement.title))
            return redirect(url_for("dashboard.statement_edit", statement_id=statement.id), 303)
    if form.errors:
        return _invalid("dashboard/statement_import.html", form=form)
    return render_template("dashboard/statement_import.html", form=form)

