"""What every page shares: error pages, security headers, template helpers, public caching.

Links that leave the page whole (Open Graph, canonical, share links, embed code) are built
on BASE_URL with `absolute_url` (a template global too), never on the request's Host.
"""
import math
import time
from datetime import timedelta
from functools import wraps

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, make_response, render_template, request, session
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_timedelta, get_locale, gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, SecurityError

from campaign.common import dates, languages
from campaign.common.emails import internationalised_form
from campaign.common.markdown import render_markdown
from campaign.common.site_name import campaign_name, last_known
from campaign.common.tables import table_cells
from campaign.common.urls import absolute_url, base_url_adapter
from campaign.extensions import csrf, db, limiter

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

#: What SQLAlchemy raises when the database is down, refusing connections, out of pooled
#: connections or too slow: the request gets the plain 503 page.
DATABASE_AWAY = (OperationalError, DisconnectionError, PoolTimeoutError)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["internationalised_email"] = internationalised_form
    app.jinja_env.filters["datetimeformat"] = datetime_filter
    app.jinja_env.filters["dateformat"] = date_filter
    app.jinja_env.filters["table_cells"] = table_cells
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(CSRFError, _csrf_error)
    for database_down in DATABASE_AWAY:
        app.register_error_handler(database_down, _database_unavailable)
    app.session_interface = _EmptySessionVariesNothing()
    app.before_request(_refuse_nul_in_address)
    app.after_request(_security_headers)
    languages.init_app(app)


def datetime_filter(moment, _flask_babel_format=None) -> str:
    """`|datetimeformat`: "24 March 2027, 18:00 UTC", the one style (campaign/common/dates.py).

    It replaces Flask-Babel's filter of that name. A template written for that one passes a
    format ("short", "yyyy-MM-dd HH:mm"): it chooses nothing, so those pages show the one style.
    """
    return dates.format_datetime(moment)


def date_filter(moment, _flask_babel_format=None) -> str:
    """`|dateformat`: "24 March 2027" (the day in UTC), in place of Flask-Babel's filter."""
    return dates.format_date(moment)


def error_page(code: int, message: str | None = None, headers: dict | None = None):
    title, default_message = _ERROR_TEXT.get(code, _ERROR_TEXT[400])
    body = render_template(
        "errors.html", code=code, title=title(), message=message or default_message()
    )
    return body, code, headers or {}


#: No listing is this long; larger page numbers would overflow the database's OFFSET.
MAX_PAGE_NUMBER = 1_000_000


def page_number(name: str = "page") -> int:
    """The ?page= of a listing: 1 when absent, 404 when it cannot be a page."""
    page = request.args.get(name, 1, type=int)
    if not 1 <= page <= MAX_PAGE_NUMBER:
        abort(404)
    return page


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # a page of its own, such as the signing form's 429
        return error.response
    headers = dict(error.get_response().headers) if error.code in (405, 429) else {}
    headers.pop("Content-Type", None)
    headers.pop("Content-Length", None)
    description = getattr(error, "campaign_message", None)
    if error.code == 429:
        retry_after = headers.get("Retry-After", "")
        wait = seconds_until_retry(int(retry_after) if retry_after.isdigit() else 60)
        headers["Retry-After"] = str(wait)
        description = _("Please try again %(when)s.", when=wait_in_words(wait))
    return error_page(error.code, description, headers)


def seconds_until_retry(otherwise: int = 60) -> int:
    """Seconds until the limit that refused this request lets the person in again."""
    breached = limiter.current_limit
    if breached is not None:
        return max(1, int(breached.reset_at - time.time()))
    return otherwise


def wait_in_words(seconds: int) -> str:
    """The wait as words ("in 40 seconds", "in 3 minutes"), rounded up so trying then works."""
    if seconds >= 60:
        seconds = 60 * math.ceil(seconds / 60)
    return format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=True)


def _untrusted_host(error: SecurityError):
    """A Host (or, behind TRUSTED_PROXIES, X-Forwarded-Host) not in TRUSTED_HOSTS.

    Flask refuses it before binding the request's URLs, so the error page's own links
    are built on BASE_URL.
    """
    request_ctx.url_adapter = base_url_adapter()
    return _http_error(error)


def _csrf_error(error: CSRFError):
    return error_page(
        400, _("This form has expired or was not sent from this site. Reload the page and try again.")
    )


def _database_unavailable(error: SQLAlchemyError):
    """The database is down, refusing connections, out of pooled connections or too slow.

    A plain page that needs nothing from the database (not even the logged-in organizer),
    so it renders while the database is away; the pool starts afresh by itself once the
    database answers again (`common.idle_ping`).
    """
    current_app.logger.warning("Database unavailable: %s", error)
    end_failed_transaction()
    title, message = _ERROR_TEXT[503]
    # Rendered without the context processors: Flask-Login's would load the organizer.
    body = current_app.jinja_env.get_template("errors_unavailable.html").render(
        title=title(), message=message(), campaign_name=campaign_name(last_known()),
        page_language=str(get_locale()),
    )
    return body, 503, {"Retry-After": str(current_app.config["DB_RETRY_AFTER_SECONDS"])}


def end_failed_transaction() -> None:
    """Roll back the session after the database went away, or drop it if even that fails."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()


class _EmptySessionVariesNothing(SecureCookieSessionInterface):
    """Flask adds `Vary: Cookie` whenever the session was read, and Flask-Login reads it on
    every request; an empty session that nobody wrote to shaped nothing on the page, so a
    public page varies only by what really changes it (`public_cache`)."""

    def open_session(self, app, request):
        """A visitor without a session cookie starts with an empty session: nothing to verify,
        so no signer is made for them (most of a public page's visitors)."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            session.accessed = False
        super().save_session(app, session, response)


def public_cache(view):
    """Let browsers and shared caches keep a public GET page for a few seconds.

    A shared cache may keep the page only when it is the same for every visitor: nobody is
    logged in, no cookie is being set and no per-session CSRF token is on it. Such a page
    says `public` with `s-maxage` and `stale-while-revalidate`, carries an ETag (a repeat
    visit gets a 304) and varies only by the language asked for. Otherwise the visitor's
    browser alone may keep it, with `Vary: Cookie`.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if request.method != "GET" or response.status_code != 200 or response.is_streamed:
            return response
        config = current_app.config
        response.cache_control.max_age = config["PUBLIC_MAX_AGE_SECONDS"]
        if _is_per_visitor(response):
            response.cache_control.private = True
            response.vary.add("Cookie")
            return response
        response.cache_control.public = True
        response.cache_control.s_maxage = config["PUBLIC_SHARED_MAX_AGE_SECONDS"]
        response.cache_control.stale_while_revalidate = config["PUBLIC_STALE_SECONDS"]
        response.vary.add("Accept-Language")
        response.add_etag()
        return response.make_conditional(request)

    wrapper.cached_publicly = True
    return wrapper


@limiter.request_filter
def _reads_a_public_page() -> bool:
    """A GET of a page that shared caches may keep (`public_cache`) passes the rate limiter by.

    No limit is laid on reading such a page: a cache in front answers most reads without
    asking the app, so none could hold. Finding that out for each request took a tenth of a
    kept statement page's time in the app. Its form's POST is limited as before.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    return getattr(current_app.view_functions.get(request.endpoint), "cached_publicly", False)


def _is_per_visitor(response) -> bool:
    csrf_field = f'name="{current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")}"'.encode()
    return (
        current_user.is_authenticated
        or session.modified
        or "Set-Cookie" in response.headers
        or csrf_field in response.get_data()
    )


def same_site_posts(view):
    """The public forms' protection instead of the session's CSRF token (which would need a
    cookie): a POST sent by another site's page is refused with a 403.

    Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`; a request
    without them (an old browser, a script) is let through to the form's signed token,
    which it must still carry (`common.forms.SignedFormToken`).
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST" and is_cross_site():
            return error_page(403, _("This form can only be sent from this site's own pages. "
                                     "Open the page on this site and send it from there."))
        return view(*args, **kwargs)

    csrf.exempt(wrapper)
    return wrapper


def is_cross_site() -> bool:
    """Whether the browser says this request was made by a page of another site."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin not in (_origin_of(current_app.config["BASE_URL"]), _origin_of(request.host_url))


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _refuse_nul_in_address():
    """An address with a NUL byte names nothing here (and PostgreSQL refuses to compare one)."""
    if "\x00" in request.path:
        abort(404)


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
