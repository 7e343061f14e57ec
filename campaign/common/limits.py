"""Rate limits on the public forms, and the pace of signing that holds a signature.

Flask-Limiter keeps the counters in Redis in production (RATELIMIT_STORAGE_URI defaults to
REDIS_URL), so every worker and host shares them; memory only in the embedded default.
The client address is the socket's peer, or the right-most address added by the
TRUSTED_PROXIES proxies in front (ProxyFix): a header the client forges changes nothing.
A refusal is a 429 saying when to try again, and `attempt_refused` is sent so that the
domain that counts refusals (abuse) can count it without this floor knowing it.
"""
from collections.abc import Callable
from functools import cache

from blinker import Namespace
from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from limits import RateLimitItem, parse_many

from campaign.extensions import limiter

#: Sent with kind ("statement", "event") and slug when a limit refuses a form.
attempt_refused = Namespace().signal("attempt-refused")


def _slug() -> str:
    return (request.view_args or {}).get("slug", "")


def _address_and_page() -> str:
    """Flask-Limiter already keeps each route's counters apart; this parts them per page."""
    return f"{get_remote_address()}|{_slug()}"


def public_form_limits(*settings: str, kind: str,
                       submitted_form: Callable[[], FlaskForm] | None = None,
                       refused_page: Callable[[], Response] | None = None):
    """Every limit named by `settings` on a public form's POST, per client address and page.

    Every attempt counts before the view runs, so attempts sent at once from one address
    cannot slip past together. Where `submitted_form()` gives the bound, validated form
    before the view runs, a form with mistakes (which stores nothing and comes back to be
    fixed) uses up no attempt. Where `refused_page()` is given, a refused attempt is
    answered with it, the form again as it was filled in, so that the person loses nothing
    they typed; otherwise with the plain 429 page.
    """

    def has_mistakes() -> bool:
        return submitted_form is not None and bool(submitted_form().errors)

    def refused(_limit) -> Response | None:
        attempt_refused.send(current_app._get_current_object(), kind=kind, slug=_slug())
        return refused_page() if refused_page is not None else None

    def decorate(view):
        for setting in settings:
            view = limiter.limit(
                lambda setting=setting: current_app.config[setting],
                key_func=_address_and_page,
                methods=["POST"],
                exempt_when=has_mistakes,
                on_breach=refused,
            )(view)
        return view

    return decorate


def keeps_pace(setting: str, *identifiers: str) -> bool:
    """Count one attempt against the limits named by `setting`; False once it goes past one.

    Refuses nothing: the caller decides what going past means. Each limit counts and checks
    in one step of the limiter's storage, so attempts sent at once cannot all keep pace.
    With the limits switched off (RATELIMIT_ENABLED) every attempt keeps pace.
    """
    if not limiter.enabled:
        return True
    key = (current_app.config["RATELIMIT_KEY_PREFIX"], setting, *identifiers)
    limits = _parsed(current_app.config[setting])
    return all([limiter.limiter.hit(limit, *key) for limit in limits])  # every one counts


@cache
def _parsed(limits: str) -> list[RateLimitItem]:
    return parse_many(limits)
