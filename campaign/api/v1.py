"""The OSDI API at /api/v1/ (HAL+JSON): people, petitions, signatures, events, attendances and
the record-signature and record-attendance helpers; its OpenAPI description.

Petitions and events are public, as their pages are; people, signatures and attendances are
personal data and need an API key (`OSDI-API-Token: <key>` or `Authorization: Bearer <key>`),
and writing needs a key with the write scope. Each key has its own rate limit
(API_RATE_LIMIT); requests without a key are limited per client address.
"""
import hashlib
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from campaign.api import osdi, records
from campaign.api.keys import key_for
from campaign.api.models import ApiScope
from campaign.api.openapi import description
from campaign.api.writes import InvalidRecord, NotOpen, record_attendance, record_signature
from campaign.extensions import csrf, limiter

bp = Blueprint("v1", __name__, url_prefix="/v1")
csrf.exempt(bp)
HAL = "application/hal+json"
#: The largest request body the write helpers read.
MAX_BODY_BYTES = 64 * 1024


def _presented_key() -> str:
    token = request.headers.get("OSDI-API-Token", "")
    scheme, _space, bearer = request.headers.get("Authorization", "").partition(" ")
    return token or (bearer.strip() if scheme.lower() == "bearer" else "")


def _rate_key() -> str:
    """Per key presented (by its hash: no database read), else per client address."""
    presented = _presented_key()
    if presented:
        return "api-key:" + hashlib.sha256(presented.encode()).hexdigest()[:32]
    return "api-anonymous:" + get_remote_address()


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def problem(status: int, message: str, **extra):
    """An error as JSON: `error` says what went wrong in words a developer can act on."""
    response = jsonify({"error": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@bp.errorhandler(HTTPException)
def _http_problem(error: HTTPException):
    response = problem(error.code or 500, error.description or error.name)
    if error.code == 429:
        response.headers.update({k: v for k, v in error.get_response().headers.items()
                                 if k.lower() == "retry-after"})
    return response


@bp.errorhandler(records.QueryError)
def _query_problem(error: records.QueryError):
    return problem(400, error.message, field=error.field)


@bp.before_request
def _authenticate():
    presented = _presented_key()
    g.api_key = key_for(presented) if presented else None
    if presented and g.api_key is None:
        return problem(401, _("This API key is not valid, or has been revoked."))
    return None


def needs_key(scope: ApiScope):
    """The view answers only a request with an active key of `scope` (write includes read)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.api_key is None:
                return problem(401, _("This needs an API key: send it in the OSDI-API-Token "
                                      "header."))
            if not g.api_key.scope.allows(scope):
                return problem(403, _("This API key may only read."))
            return view(*args, **kwargs)
        return wrapper
    return decorate


def hal(document: dict, status: int = 200):
    response = jsonify(document)
    response.status_code = status
    response.mimetype = HAL
    # Personal data never sits in a shared cache; the public parts change with every signature.
    response.headers["Cache-Control"] = "no-store" if g.get("api_key") else "no-cache"
    return response


def _listing(name: str, page_of, shape, endpoint: str, **route_values):
    query = records.parse_query(request.args)
    page = page_of(query)
    return hal(osdi.collection(name, [shape(item) for item in page.items], page, endpoint,
                               request.args.get("filter"), **route_values))


def _found(record):
    if record is None:
        return problem(404, _("There is no such record."))
    return None


@bp.get("/")
def entry_point():
    return hal(osdi.entry_point())


@bp.get("/openapi.json")
def openapi():
    return jsonify(description())


@bp.get("/people")
@needs_key(ApiScope.read)
def people():
    return _listing("people", records.people, osdi.person, "api.v1.people")


@bp.get("/people/<key>")
@needs_key(ApiScope.read)
def person(key: str):
    found = records.person(key)
    return _found(found) or hal(osdi.person(found))


@bp.get("/petitions")
def petitions():
    return _listing("petitions", records.petitions, osdi.petition, "api.v1.petitions")


@bp.get("/petitions/<int:petition_id>")
def petition(petition_id: int):
    found = records.petition(petition_id)
    return _found(found) or hal(osdi.petition(found))


@bp.get("/petitions/<int:petition_id>/signatures")
@needs_key(ApiScope.read)
def petition_signatures(petition_id: int):
    found = records.petition(petition_id)
    return _found(found) or _listing(
        "signatures", lambda query: records.signatures(query, found), osdi.signature,
        "api.v1.petition_signatures", petition_id=petition_id)


@bp.post("/petitions/<int:petition_id>/signatures")
@needs_key(ApiScope.write)
def record_signature_helper(petition_id: int):
    """OSDI's record signature helper."""
    found = records.petition(petition_id)
    return _found(found) or _recorded(lambda body: osdi.signature(record_signature(found, body)))


@bp.get("/signatures")
@needs_key(ApiScope.read)
def signatures():
    return _listing("signatures", records.signatures, osdi.signature, "api.v1.signatures")


@bp.get("/signatures/<int:signature_id>")
@needs_key(ApiScope.read)
def signature(signature_id: int):
    found = records.signature(signature_id)
    return _found(found) or hal(osdi.signature(found))


@bp.get("/events")
def events():
    return _listing("events", records.events, osdi.event, "api.v1.events")


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    found = records.event(event_id)
    return _found(found) or hal(osdi.event(found))


@bp.get("/events/<int:event_id>/attendances")
@needs_key(ApiScope.read)
def event_attendances(event_id: int):
    found = records.event(event_id)
    return _found(found) or _listing(
        "attendances", lambda query: records.attendances(query, found), osdi.attendance,
        "api.v1.event_attendances", event_id=event_id)


@bp.post("/events/<int:event_id>/attendances")
@needs_key(ApiScope.write)
def record_attendance_helper(event_id: int):
    """OSDI's record attendance helper."""
    found = records.event(event_id)
    return _found(found) or _recorded(lambda body: osdi.attendance(record_attendance(found, body)))


@bp.get("/attendances")
@needs_key(ApiScope.read)
def attendances():
    return _listing("attendances", records.attendances, osdi.attendance, "api.v1.attendances")


@bp.get("/attendances/<int:attendance_id>")
@needs_key(ApiScope.read)
def attendance(attendance_id: int):
    found = records.attendance(attendance_id)
    return _found(found) or hal(osdi.attendance(found))


def _recorded(write):
    """Read the JSON body, `write` it, answer with what was recorded (or why not)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return problem(413, _("The body is too large."))
    if not request.is_json:
        return problem(415, _("Send the body as JSON (Content-Type: application/json)."))
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, _("The body is not valid JSON."))
    try:
        return hal(write(body), status=200)
    except InvalidRecord as error:
        return problem(422, error.message, errors=error.errors)
    except NotOpen as error:
        return problem(409, error.message)
