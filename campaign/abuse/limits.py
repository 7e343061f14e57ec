"""Rate limits on signing: per client address and statement, a burst limit and a sustained one.

Flask-Limiter keeps the counters in Redis in production (RATELIMIT_STORAGE_URI defaults to
REDIS_URL), so every worker and host shares them; memory only in the embedded default.
The client address is the socket's peer, or the right-most address added by the
TRUSTED_PROXIES proxies in front (ProxyFix): a header the client forges changes nothing.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from campaign.abuse.service import record_refusal
from campaign.extensions import limiter
from campaign.signatures.forms import SignatureForm

SIGN_LIMIT_SETTINGS = ("SIGN_RATE_LIMIT_SUSTAINED", "SIGN_RATE_LIMIT_BURST")


def _slug() -> str:
    return (request.view_args or {}).get("slug", "")


def _address_and_statement() -> str:
    return f"{get_remote_address()}|{_slug()}"


def _form_has_mistakes() -> bool:
    """A form with mistakes stores nothing and comes back to be fixed: it uses up no attempt."""
    return bool(SignatureForm.submitted().errors)


def _refused(_limit) -> None:
    record_refusal(_slug())


def sign_limits(view):
    """Both signing limits (settings SIGN_RATE_LIMIT_BURST and _SUSTAINED) on a sign view.

    Every well-formed attempt counts before the view runs, so attempts sent at once from
    one address cannot slip past together. A refusal is a 429 saying when to try again,
    and is counted for the organizers' abuse page.
    """
    for setting in SIGN_LIMIT_SETTINGS:
        view = limiter.limit(
            lambda setting=setting: current_app.config[setting],
            key_func=_address_and_statement,
            exempt_when=_form_has_mistakes,
            on_breach=_refused,
        )(view)
    return view
