from urllib.parse import urlsplit

from flask import (
    Blueprint, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from campaign.extensions import limiter, login_manager
from campaign.organizers.devices import remember_device, this_device
from campaign.organizers.forms import LoginForm
from campaign.organizers.service import log_in, log_out, organizer_for_session
from campaign.organizers.throttle import LoginSlowedDown

bp = Blueprint("organizers", __name__)
login_manager.login_view = "organizers.login"
login_manager.login_message = None


@login_manager.user_loader
def load_organizer(alternative_id: str):
    """The logged-in organizer, unless their sessions were ended or the account deactivated."""
    return organizer_for_session(alternative_id)


def _account_and_address() -> str:
    account = request.form.get("email", "").strip().lower()[:320]
    return f"login-account-address:{account}|{get_remote_address()}"


def _failed_login(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT"], methods=["POST"],
               key_func=_account_and_address, deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            organizer = log_in(form.email.data, form.password.data, this_device())
        except LoginSlowedDown as slowed:
            form.password.errors.append(slowed.message)
            return (render_template("organizers/login.html", form=form), 429,
                    {"Retry-After": str(slowed.seconds)})
        if organizer is not None:
            login_user(organizer)
            session.permanent = True
            response = redirect(_safe_next(request.args.get("next")))
            remember_device(response, organizer)
            return response
        form.password.errors.append(_("The email or password is not right."))
    status = 400 if form.errors else 200
    return render_template("organizers/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        log_out(current_user)
    logout_user()
    flash(_("You have logged out, here and in every other browser."))
    return redirect(url_for("home.index"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot bounce people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")
