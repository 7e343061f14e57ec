"""Organizer pages for a statement's translations: the list (each with its revision and
whether the original was amended after it), adding or replacing one from pasted text in the
import's shape, and deleting one after asking. Reading needs a viewer; changes an editor."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.languages import NATIVE_NAMES, language_choices
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.statements.forms import TranslationForm
from campaign.statements.importer import parse_statement_text
from campaign.statements.service import StatementError, get_statement
from campaign.statements.translations import (
    delete_translation, is_out_of_date, save_translation, translation_in, translations_of,
)


def _form(statement) -> TranslationForm:
    """The languages a translation may be in: every offered one but the original's."""
    return TranslationForm.offering(
        [(code, name) for code, name in language_choices() if code != statement.language])


def _page(statement, form: TranslationForm, status: int = 200):
    translations = [(translation, is_out_of_date(translation))
                    for translation in translations_of(statement)]
    return render_template(
        "dashboard/translations.html", statement=statement, form=form,
        translations=translations, language_names=NATIVE_NAMES,
        can_edit=current_user.can(Role.editor),
    ), status


@bp.get("/statements/<int:statement_id>/translations")
@require_role(Role.viewer)
def translations(statement_id: int):
    statement = get_statement(statement_id)
    return _page(statement, _form(statement))


@bp.post("/statements/<int:statement_id>/translations")
@require_role(Role.editor)
def translation_save(statement_id: int):
    statement = get_statement(statement_id)
    form = _form(statement)
    if form.validate_on_submit():
        try:
            parsed = parse_statement_text(form.text.data)
            translation = save_translation(statement, form.language.data, parsed.title,
                                           parsed.preamble, parsed.demands, parsed.closing)
        except StatementError as error:
            show_error(form, error)
        else:
            flash(_("The translation (%(language)s) is saved as its revision %(number)d.",
                    language=translation.language, number=translation.revision))
            return redirect(url_for("dashboard.translations", statement_id=statement.id), 303)
    return _page(statement, form, status=400)


@bp.route("/statements/<int:statement_id>/translations/<language>/delete",
          methods=["GET", "POST"])
@require_role(Role.editor)
def translation_delete(statement_id: int, language: str):
    """GET asks first; the POST of that page deletes."""
    statement = get_statement(statement_id)
    translation = translation_in(statement, language[:16])
    back = url_for("dashboard.translations", statement_id=statement.id)
    if translation is None:
        flash(_("There is no such translation."))
        return redirect(back, 303)
    name = NATIVE_NAMES.get(translation.language, translation.language)
    if request.method == "GET":
        return confirmation(
            _("Delete the translation (%(language)s)?", language=name),
            [_("Visitors reading in that language will see the original text of “%(title)s”. "
               "Its signatures stay: they belong to the statement.", title=statement.title)],
            url_for("dashboard.translation_delete", statement_id=statement.id,
                    language=translation.language),
            _("Delete the translation"), back)
    delete_translation(translation)
    flash(_("The translation (%(language)s) is deleted.", language=name))
    return redirect(back, 303)
