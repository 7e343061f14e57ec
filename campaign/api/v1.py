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


def _parent_and_children(parents: str, children: str, *, list_parents, get_parent,
                         parent_shape, list_children, get_child, child_shape,
                         write_child) -> None:
    """The routes of a public record (a petition, an event) and of the personal records made
    under it (its signatures, its attendances), the same for both pairs:

    GET /<parents>, /<parents>/<id> (no key); GET /<parents>/<id>/<children>, /<children>,
    /<children>/<id> (a read key); POST /<parents>/<id>/<children>, OSDI's record helper
    (a write key). The endpoints are named from the two words: `petitions`, `petition`,
    `petition_signatures`, `record_signature_helper`, `signatures`, `signature`.
    """
    parent, child = parents.removesuffix("s"), children.removesuffix("s")
    helper = f"record_{child}_helper"
    nested, parent_id, child_id = f"{parent}_{children}", f"{parent}_id", f"{child}_id"

    def parent_listing():
        return _listing(parents, list_parents, parent_shape, f"api.v1.{parents}")

    def one_parent(**route):
        found = get_parent(route[parent_id])
        return _found(found) or hal(parent_shape(found))

    def children_of_parent(**route):
        found = get_parent(route[parent_id])
        return _found(found) or _listing(
            children, lambda query: list_children(query, found), child_shape,
            f"api.v1.{nested}", **route)

    def record_helper(**route):
        found = get_parent(route[parent_id])
        return _found(found) or _recorded(lambda body: child_shape(write_child(found, body)))

    def child_listing():
        return _listing(children, list_children, child_shape, f"api.v1.{children}")

    def one_child(**route):
        found = get_child(route[child_id])
        return _found(found) or hal(child_shape(found))

    read, write = needs_key(ApiScope.read), needs_key(ApiScope.write)
    for rule, endpoint, view, method in (
        (f"/{parents}", parents, parent_listing, "GET"),
        (f"/{parents}/<int:{parent_id}>", parent, one_parent, "GET"),
        (f"/{parents}/<int:{parent_id}>/{children}", nested, read(children_of_parent), "GET"),
        (f"/{parents}/<int:{parent_id}>/{children}", helper, write(record_helper), "POST"),
        (f"/{children}", children, read(child_listing), "GET"),
        (f"/{children}/<int:{child_id}>", child, read(one_child), "GET"),
    ):
        bp.add_url_rule(rule, endpoint, view, methods=[method])


_parent_and_children(
    "petitions", "signatures",
    list_parents=records.petitions, get_parent=records.petition, parent_shape=osdi.petition,
    list_children=records.signatures, get_child=records.signature, child_shape=osdi.signature,
    write_child=record_signature)
_parent_and_children(
    "events", "attendances",
    list_parents=records.events, get_parent=records.event, parent_shape=osdi.event,
    list_children=records.attendances, get_child=records.attendance, child_shape=osdi.attendance,
    write_child=record_attendance)


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
