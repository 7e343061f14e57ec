"""What every page shares: error pages, security headers, template helpers, the login loader."""
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from campaign.common.markdown import render_markdown
from campaign.extensions import db, login_manager
from campaign.organizers.models import Organizer

_ERROR_TEXT = {
    400: (lambda: _("Something in that request was not right"),
          lambda: _("Go back, check what you entered and try again.")),
    403: (lambda: _("You cannot do that"),
          lambda: _("Your account does not have permission for this page or action.")),
    404: (lambda: _("Page not found"),
          lambda: _("Check the address, or start again from the home page.")),
    405: (lambda: _("That action is not available here"),
          lambda: _("This address does not accept that kind of request.")),
    413: (lambda: _("That was too large"),
          lambda: _("What you sent is larger than this site accepts.")),
    429: (lambda: _("Too many attempts"),
          lambda: _("Please wait a little and try again.")),
    503: (lambda: _("Sorry, the service is busy or unavailable"),
          lambda: _("Please try again in a minute. Nothing you already sent has been lost.")),
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "organizers.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_organizer)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.add_extension("jinja2.ext.do")
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"campaign_name": app.config["CAMPAIGN_NAME"]})


def _load_organizer(organizer_id: str):
    return db.session.get(Organizer, int(organizer_id)) if organizer_id.isdigit() else None


def error_page(code: int, message: str | None = None, headers: dict | None = None):
    title, default_message = _ERROR_TEXT.get(code, _ERROR_TEXT[400])
    body = render_template(
        "errors.html", code=code, title=title(), message=message or default_message()
    )
    return body, code, headers or {}


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    headers = dict(error.get_response().headers) if error.code in (405, 429) else {}
    headers.pop("Content-Type", None)
    headers.pop("Content-Length", None)
    description = getattr(error, "campaign_message", None)
    return error_page(error.code, description, headers)


def _csrf_error(error: CSRFError):
    return error_page(
        400, _("This form has expired or was not sent from this site. Reload the page and try again.")
    )


def _database_unavailable(error: OperationalError):
    db.session.rollback()
    return error_page(503, headers={"Retry-After": "30"})


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
