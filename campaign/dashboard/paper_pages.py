"""Entering signatures collected on paper: paste or upload, see each line checked, then add.

Nothing is added until every line of the batch is fixed; the Add button posts the same text
again and it is checked again before anything is stored.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.signatures import paper
from campaign.signatures.forms import PaperSignaturesForm
from campaign.statements.service import get_statement


@bp.route("/statements/<int:statement_id>/paper", methods=["GET", "POST"])
@require_role(Role.editor)
def paper_signatures(statement_id: int):
    statement = get_statement(statement_id)
    form = PaperSignaturesForm()
    batch = None
    if form.validate_on_submit():
        try:
            source = paper.checked_source(form.source.data)
            batch = paper.check_batch(statement, _lines(form))
            if request.form.get("action") == "add" and batch.is_ready:
                added = paper.add_paper_signatures(
                    statement, batch, source=source, show_publicly=form.show_publicly.data,
                    entered_by=current_user,
                )
                flash(ngettext("Added %(num)d signature collected on paper.",
                               "Added %(num)d signatures collected on paper.", added))
                return redirect(url_for("dashboard.signatures", statement_id=statement.id), 303)
        except paper.PaperError as error:
            show_error(form, error)
            batch = None
    html = render_template("dashboard/paper.html", statement=statement, form=form, batch=batch)
    return html, (400 if form.errors or (batch and not batch.is_ready) else 200)


def _lines(form: PaperSignaturesForm) -> list[paper.PaperLine]:
    """An uploaded file first, then pasted lines, then the file checked on the preview."""
    if form.file.data:
        form.csv_text.data = paper.decode_upload(form.file.data.read())
        form.text.data = ""
    elif (form.text.data or "").strip():
        form.csv_text.data = ""
        return paper.read_pasted(form.text.data, form.collected_on.data)
    return paper.read_csv(form.csv_text.data, form.collected_on.data)
