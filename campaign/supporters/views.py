"""`/subscribe` (double opt-in), its emailed confirmation link, and `/unsubscribe/<token>`:
a page with a button, and the RFC 8058 one-click POST mail programs send by themselves."""
from flask import Blueprint, abort, current_app, render_template, request

from campaign.extensions import csrf, limiter
from campaign.supporters import service
from campaign.supporters.forms import SubscribeForm
from campaign.web import error_page

bp = Blueprint("supporters", __name__)


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_HOLD_AFTER"], methods=["POST"])
def subscribe():
    campaign = service.campaign_for_subscribing(request.args.get("campaign"))
    if campaign is None:
        abort(404)
    form = SubscribeForm()
    if request.method == "GET":
        return render_template("supporters/subscribe.html", form=form, campaign=campaign)
    if not form.validate():
        return render_template("supporters/subscribe.html", form=form, campaign=campaign), 400
    if not form.is_from_a_bot:
        service.ask_to_subscribe(campaign, form.email.data, form.name.data or "")
    return render_template("supporters/subscribe.html", form=None, campaign=campaign, sent=True)


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button; only its POST subscribes, since mail scanners open every link."""
    try:
        supporter = service.supporter_from_confirm_link(token)
    except service.InvalidLink as error:
        return error_page(400, str(error))
    if supporter is None:
        return render_template("supporters/confirm.html", outcome="gone"), 410
    if request.method == "GET":
        return render_template("supporters/confirm.html", outcome="ask", action_url=request.path)
    done = service.confirm_subscription(supporter)
    return render_template("supporters/confirm.html", outcome="done" if done else "refused")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """No CSRF token: a mail program's one-click POST (RFC 8058) carries only the link's own
    signed token, which is all the authority unsubscribing needs."""
    try:
        supporter = service.supporter_from_unsubscribe_link(token)
    except service.InvalidLink as error:
        return error_page(400, str(error))
    if supporter is None:
        return render_template("supporters/unsubscribe.html", outcome="gone"), 410
    if request.method == "GET":
        return render_template("supporters/unsubscribe.html", outcome="ask",
                               action_url=request.path)
    service.unsubscribe(supporter)
    return render_template("supporters/unsubscribe.html", outcome="done")
