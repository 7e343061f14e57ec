"""Organizer pages for money taken online: an event's and an appeal's payments (state, amount,
method, the provider's references, refunds) with their CSV export, a failed refund's retry,
and an appeal's public giving page settings.

Reading and exporting need a viewer; retrying a refund and the giving settings an editor.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from campaign.common.errors import DomainError
from campaign.common.forms import show_error
from campaign.common.time import utcnow
from campaign.dashboard.shared import private
from campaign.dashboard.views import bp
from campaign.events import service as events
from campaign.exports.csv import csv_download
from campaign.exports.payments import export_filename, payments_csv
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.payments import appeals, service
from campaign.payments.forms import GivingForm
from campaign.payments.models import PaymentState, RefundState

_STATE_LABELS = {
    PaymentState.open: _l("Checkout open"), PaymentState.paid: _l("Paid"),
    PaymentState.expired: _l("Expired unpaid"), PaymentState.refunded: _l("Refunded"),
}
_REFUND_LABELS = {
    RefundState.succeeded: _l("refunded"), RefundState.pending: _l("refund pending"),
    RefundState.failed: _l("refund failed"),
}

_LABELS = {"state_labels": _STATE_LABELS, "refund_labels": _REFUND_LABELS}


def _event_or_404(event_id: int):
    event = events.event_by_id(event_id)
    if event is None:
        abort(404)
    return event


def _appeal_or_404(appeal_id: int):
    appeal = appeals.appeal_by_id(appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@bp.get("/events/<int:event_id>/payments")
@require_role(Role.viewer)
def event_payments(event_id: int):
    event = _event_or_404(event_id)
    return private(render_template(
        "dashboard/payments.html", event=event, appeal=None,
        payments=service.payments_for(event_id=event.id),
        export_url=url_for("dashboard.event_payments_export", event_id=event.id),
        can_edit=current_user.can(Role.editor), **_LABELS))


@bp.get("/events/<int:event_id>/payments.csv")
@require_role(Role.viewer)
def event_payments_export(event_id: int):
    event = _event_or_404(event_id)
    lines = payments_csv(service.payments_for(event_id=event.id), f"event:{event.slug}",
                         bom=request.args.get("bom") == "1")
    return csv_download(lines, export_filename(event.slug, utcnow().date()))


@bp.get("/appeals/<int:appeal_id>/payments")
@require_role(Role.viewer)
def appeal_payments(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    return private(render_template(
        "dashboard/payments.html", event=None, appeal=appeal,
        payments=service.payments_for(appeal_id=appeal.id), totals=appeals.appeal_totals(appeal),
        export_url=url_for("dashboard.appeal_payments_export", appeal_id=appeal.id),
        can_edit=current_user.can(Role.editor), **_LABELS))


@bp.get("/appeals/<int:appeal_id>/payments.csv")
@require_role(Role.viewer)
def appeal_payments_export(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    lines = payments_csv(service.payments_for(appeal_id=appeal.id), f"appeal:{appeal.id}",
                         bom=request.args.get("bom") == "1")
    return csv_download(lines, export_filename(f"appeal-{appeal.id}", utcnow().date()))


@bp.post("/payments/<int:payment_id>/retry-refund")
@require_role(Role.editor)
def payment_retry_refund(payment_id: int):
    """Try a failed refund again (not destructive: the money was already due back)."""
    payment = service.payment_by_id(payment_id)
    if payment is None:
        abort(404)
    try:
        outcome = service.retry_refund(payment)
    except DomainError as error:
        flash(error.message)
    else:
        flash(_("The refund went through.") if outcome.refunded
              else _("The refund failed again: %(reason)s",
                     reason=payment.failed_refund.error if payment.failed_refund else ""))
    if payment.event_id:
        return redirect(url_for("dashboard.event_payments", event_id=payment.event_id), 303)
    return redirect(url_for("dashboard.appeal_payments", appeal_id=payment.appeal_id), 303)


def _giving_page(appeal, form: GivingForm, status: int = 200):
    return render_template("dashboard/appeal_giving.html", appeal=appeal, form=form,
                           can_edit=current_user.can(Role.editor),
                           can_give=appeals.can_give(appeal)), status


@bp.get("/appeals/<int:appeal_id>/giving")
@require_role(Role.viewer)
def appeal_giving(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    return _giving_page(appeal, GivingForm().for_appeal(appeal).fill_from(appeal))


@bp.post("/appeals/<int:appeal_id>/giving")
@require_role(Role.editor)
def appeal_giving_save(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    form = GivingForm().for_appeal(appeal)
    if form.validate():
        try:
            appeals.save_giving(appeal, form.details())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The giving page is saved."))
            return redirect(url_for("dashboard.appeal_giving", appeal_id=appeal.id), 303)
    return _giving_page(appeal, form, status=400)
