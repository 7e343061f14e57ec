"""The device cookie: a browser that logged in to an account before is known to it.

Set at each successful login, signed (itsdangerous) and bound to the organizer, kept for
LOGIN_DEVICE_DAYS and sent only to the login page. Failed logins from a known browser are
counted for that browser alone (`throttle`), so nobody else's failures slow it down.
"""
import secrets
from dataclasses import dataclass

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "login_device"


@dataclass(frozen=True)
class Device:
    organizer_id: int
    device_id: str


def remember_device(response, organizer) -> None:
    """Mark this browser as one `organizer` has logged in from."""
    config = current_app.config
    token = _serializer().dumps({"organizer": organizer.id, "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=_max_age(), path=url_for("organizers.login"),
        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )


def this_device() -> Device | None:
    """The browser's device, when its cookie is one this site signed and it has not expired."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        values = _serializer().loads(token, max_age=_max_age())
    except BadSignature:
        return None
    return Device(values["organizer"], values["device"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="organizers.device")


def _max_age() -> int:
    return current_app.config["LOGIN_DEVICE_DAYS"] * 24 * 3600
