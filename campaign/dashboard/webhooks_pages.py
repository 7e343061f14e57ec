"""Owner-only pages for webhooks: add an endpoint (its secret shown once), the delivery log of
each (status, attempts, last error) with a button to send one again, switch back on, remove."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.dashboard.shared import confirmation, private
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.web import page_number
from campaign.webhooks.forms import EVENT_LABELS, WebhookForm
from campaign.webhooks.service import (
    WebhookError, add_endpoint, all_endpoints, deliveries_page, enable_endpoint, get_delivery,
    get_endpoint, remove_endpoint, resend,
)

DELIVERIES_PER_PAGE = 50


def _list(form: WebhookForm, new_secret: str = "", status: int = 200):
    return private(render_template(
        "dashboard/webhooks.html", form=form, endpoints=all_endpoints(), new_secret=new_secret,
        event_labels=EVENT_LABELS), status)


def _endpoint_or_404(endpoint_id: int):
    endpoint = get_endpoint(endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.get("/webhooks")
@require_role(Role.owner)
def webhooks():
    return _list(WebhookForm())


@bp.post("/webhooks")
@require_role(Role.owner)
def webhook_add():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            _endpoint, secret = add_endpoint(form.url.data, form.events.data, actor=current_user,
                                             secret=form.secret.data or None)
        except WebhookError as error:
            show_error(form, error)
        else:
            flash(_("The webhook is added. Give the signing secret to the receiving end now: "
                    "it is not shown again."))
            return _list(WebhookForm(formdata=None), new_secret=secret)
    return _list(form, status=400)


@bp.get("/webhooks/<int:endpoint_id>")
@require_role(Role.owner)
def webhook(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    return private(render_template(
        "dashboard/webhook.html", endpoint=endpoint, event_labels=EVENT_LABELS,
        page=deliveries_page(endpoint, page_number(), DELIVERIES_PER_PAGE)))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@require_role(Role.owner)
def webhook_resend(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = get_delivery(endpoint, delivery_id)
    if delivery is None:
        abort(404)
    try:
        resend(delivery, actor=current_user)
    except WebhookError as error:
        flash(str(error))
    else:
        flash(_("The delivery will be sent again now."))
    return redirect(url_for("dashboard.webhook", endpoint_id=endpoint.id), 303)


@bp.post("/webhooks/<int:endpoint_id>/enable")
@require_role(Role.owner)
def webhook_enable(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    enable_endpoint(endpoint, actor=current_user)
    flash(_("The webhook is on again."))
    return redirect(url_for("dashboard.webhook", endpoint_id=endpoint.id), 303)


@bp.route("/webhooks/<int:endpoint_id>/remove", methods=["GET", "POST"])
@require_role(Role.owner)
def webhook_remove(endpoint_id: int):
    """GET asks first; the POST of that page removes."""
    endpoint = _endpoint_or_404(endpoint_id)
    if request.method == "GET":
        return confirmation(
            _("Remove the webhook to %(url)s?", url=endpoint.url),
            [_("Nothing more is sent to it, and its delivery log goes with it.")],
            url_for("dashboard.webhook_remove", endpoint_id=endpoint.id), _("Remove"),
            url_for("dashboard.webhook", endpoint_id=endpoint.id))
    remove_endpoint(endpoint, actor=current_user)
    flash(_("The webhook is removed."))
    return redirect(url_for("dashboard.webhooks"), 303)
