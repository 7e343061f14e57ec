"""The abuse review page of a statement: held signatures, refused attempts, flagged surges,
hidden batches.

Reading needs a viewer; approving or hiding held signatures, hiding a batch or putting it
back needs an editor (POST with CSRF). Acting on a whole held group asks first, and so does
a flag's button (`abuse_hide_confirm`); the button of that question hides.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _, ngettext
from flask_login import current_user

from campaign.abuse import service
from campaign.abuse.forms import HeldGroupForm, HideBatchForm
from campaign.abuse.models import Signal
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.signatures.forms import HOLD_REASON_LABELS
from campaign.statements.service import get_statement
from campaign.web import error_page


@bp.get("/statements/<int:statement_id>/abuse")
@require_role(Role.viewer)
def abuse(statement_id: int):
    statement = get_statement(statement_id)
    return render_template(
        "dashboard/abuse.html",
        statement=statement,
        held=service.held_groups(statement),
        hold_reasons=HOLD_REASON_LABELS,
        refusals=service.refusals(statement.id),
        flags=service.flags(statement),
        batches=service.batches(statement),
        window_minutes=current_app.config["ABUSE_WINDOW_MINUTES"],
        can_edit=current_user.can(Role.editor),
        Signal=Signal,
    )


@bp.post("/statements/<int:statement_id>/abuse/hide/confirm")
@require_role(Role.editor)
def abuse_hide_confirm(statement_id: int):
    """What a flag's "Hide these" button asks first; the button of this page hides them."""
    statement = get_statement(statement_id)
    form = HideBatchForm()
    if not form.validate():
        return error_page(400, _("That flag is not valid any more. Reload the page and try again."))
    return confirmation(
        _("Hide these signatures?"),
        [_("Every signature on “%(title)s” made between %(since)s and %(until)s (UTC) that "
           "shares %(shared)s will be hidden: it stops counting and leaves the public list.",
           title=statement.title, since=format_datetime(form.since.data, "short"),
           until=format_datetime(form.until.data, "short"),
           shared=_shared(form.signal.data, form.value.data)),
         _("The batch is kept, so you can put every one of them back from the abuse review.")],
        url_for("dashboard.abuse_hide", statement_id=statement.id), _("Hide the signatures"),
        url_for("dashboard.abuse", statement_id=statement.id),
        hidden={"signal": form.signal.data.value, "value": form.value.data,
                "since": form.since.data.isoformat(), "until": form.until.data.isoformat()},
    )


def _shared(signal: Signal, value: str) -> str:
    return {
        Signal.address: _("one network address (hashed: %(code)s…)", code=value[:12]),
        Signal.domain: _("the email domain %(domain)s", domain=value),
        Signal.country: _("the country %(country)s", country=value),
    }[signal]


@bp.post("/statements/<int:statement_id>/abuse/hide")
@require_role(Role.editor)
def abuse_hide(statement_id: int):
    statement = get_statement(statement_id)
    form = HideBatchForm()
    if not form.validate():
        return error_page(400, _("That flag is not valid any more. Reload the page and try again."))
    try:
        batch = service.hide_batch(
            statement, form.signal.data, form.value.data,
            form.since.data, form.until.data, actor=current_user,
        )
    except service.AbuseError as error:
        flash(str(error))
    else:
        flash(ngettext("%(num)d signature is hidden. You can put it back below.",
                       "%(num)d signatures are hidden. You can put them back below.",
                       batch.hidden_count))
    return redirect(url_for(".abuse", statement_id=statement.id), 303)


@bp.post("/statements/<int:statement_id>/abuse/batches/<int:batch_id>/undo")
@require_role(Role.editor)
def abuse_undo(statement_id: int, batch_id: int):
    statement = get_statement(statement_id)
    try:
        restored = service.undo_batch(service.get_batch(statement, batch_id), actor=current_user)
    except service.AbuseError as error:
        flash(str(error))
    else:
        flash(ngettext("%(num)d signature is back as it was.",
                       "%(num)d signatures are back as they were.", restored))
    return redirect(url_for(".abuse", statement_id=statement.id), 303)


_HELD_ACTIONS = {
    "approve": (service.approve_held, lambda number: ngettext(
        "%(num)d signature is approved: it counts now.",
        "%(num)d signatures are approved: they count now.", number)),
    "hide": (service.hide_held, lambda number: ngettext(
        "%(num)d signature is hidden: it will never count.",
        "%(num)d signatures are hidden: they will never count.", number)),
}


@bp.post("/statements/<int:statement_id>/abuse/held/<int:signature_id>/"
         "<any(approve, hide):action>")
@require_role(Role.editor)
def abuse_held_one(statement_id: int, signature_id: int, action: str):
    statement = get_statement(statement_id)
    return _settle_held(statement, [service.held_signature(statement, signature_id)], action)


@bp.route("/statements/<int:statement_id>/abuse/held/approve", methods=["GET", "POST"])
@require_role(Role.editor)
def abuse_held_approve(statement_id: int):
    return _held_group(statement_id, "approve")


@bp.route("/statements/<int:statement_id>/abuse/held/hide", methods=["GET", "POST"])
@require_role(Role.editor)
def abuse_held_hide(statement_id: int):
    return _held_group(statement_id, "hide")


def _held_group(statement_id: int, action: str):
    """GET asks to confirm, naming the signatures; the POST of that page acts on the group."""
    statement = get_statement(statement_id)
    form = HeldGroupForm(formdata=request.values)
    if not form.validate():
        return error_page(400, _("That group is not valid. Reload the page and try again."))
    address = form.address.data or ""
    if request.method == "POST":
        return _settle_held(statement, service.held_from(statement, address), action)
    try:
        group = service.held_group(statement, address)
    except service.AbuseError as error:
        flash(str(error))
        return redirect(url_for(".abuse", statement_id=statement.id), 303)
    return render_template(
        "dashboard/abuse_held.html", statement=statement, group=group,
        approving=action == "approve",
    )


def _settle_held(statement, signatures, action: str):
    settle, message = _HELD_ACTIONS[action]
    try:
        settled = settle(statement, signatures, actor=current_user)
    except service.AbuseError as error:
        flash(str(error))
    else:
        flash(message(settled))
    return redirect(url_for(".abuse", statement_id=statement.id), 303)
