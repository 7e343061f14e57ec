"""The OpenAPI 3.1 description of /api/v1/, served at /api/v1/openapi.json; the tests check
it is valid and that the API's real answers match its schemas."""
from campaign.common.site_name import campaign_name
from campaign.common.urls import absolute_url

_DATE = {"type": ["string", "null"], "format": "date-time"}
_LINK = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
_LINKS = {"type": "object", "required": ["self"], "properties": {"self": _LINK},
          "additionalProperties": True}
_IDENTIFIERS = {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+:[a-z]+-"},
                "minItems": 1}
_REFERRER = {"type": "object", "properties": {"source": {"type": "string"},
                                              "website": {"type": "string"}}}


def _resource(required: list[str], **properties) -> dict:
    return {
        "type": "object",
        "required": ["identifiers", "created_date", "modified_date", "_links", *required],
        "properties": {"identifiers": _IDENTIFIERS, "created_date": _DATE,
                       "modified_date": _DATE, "_links": _LINKS, **properties},
    }


SCHEMAS = {
    "Error": {"type": "object", "required": ["error"],
              "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]},
                             "errors": {"type": "object", "additionalProperties": {
                                 "type": "array", "items": {"type": "string"}}}}},
    "EntryPoint": {"type": "object", "required": ["osdi_version", "_links"], "properties": {
        "motd": {"type": "string"}, "vendor_name": {"type": "string"},
        "product_name": {"type": "string"}, "osdi_version": {"type": "string"},
        "max_pagesize": {"type": "integer"}, "namespace": {"type": "string"},
        "_links": {"type": "object", "required": [
            "self", "osdi:people", "osdi:petitions", "osdi:signatures", "osdi:events",
            "osdi:attendances"]}}},
    "Person": _resource(
        ["given_name", "family_name", "email_addresses"],
        given_name={"type": "string"}, family_name={"type": "string"},
        email_addresses={"type": "array", "items": {
            "type": "object", "required": ["address"],
            "properties": {"address": {"type": "string"}, "primary": {"type": "boolean"},
                           "status": {"enum": ["subscribed", "unsubscribed"]}}}},
        postal_addresses={"type": "array", "items": {
            "type": "object", "properties": {"country": {"type": "string"},
                                             "primary": {"type": "boolean"}}}},
        custom_fields={"type": "object", "properties": {
            "full_name": {"type": "string"}, "affiliation": {"type": "string"}}},
    ),
    "Petition": _resource(
        ["title", "total_signatures", "browser_url"],
        origin_system={"type": "string"}, name={"type": "string"}, title={"type": "string"},
        description={"type": "string"}, petition_text={"type": "string"},
        status={"enum": ["published", "closed"]},
        total_signatures={"type": "integer", "minimum": 0}, browser_url={"type": "string"},
    ),
    "Signature": _resource(
        ["status"],
        origin_system={"type": "string"},
        status={"enum": ["pending", "confirmed", "hidden", "withdrawn"]},
        comments={"type": "string"}, referrer_data=_REFERRER,
    ),
    "Event": _resource(
        ["title", "start_date", "status"],
        origin_system={"type": "string"}, name={"type": "string"}, title={"type": "string"},
        description={"type": "string"}, status={"enum": ["confirmed", "cancelled"]},
        start_date=_DATE, end_date=_DATE,
        location={"type": "object", "properties": {
            "venue": {"type": "string"},
            "address_lines": {"type": "array", "items": {"type": "string"}}}},
        capacity={"type": ["integer", "null"]}, total_accepted={"type": "integer"},
        browser_url={"type": "string"},
    ),
    "Attendance": _resource(
        ["status"],
        origin_system={"type": "string"},
        status={"enum": ["accepted", "tentative", "declined"],
                "description": "accepted: has a place; tentative: on the waiting list, or "
                               "a place held while paying online; "
                               "declined: cancelled, or the event was"},
        ticket={"type": "object", "properties": {
            "title": {"type": "string"}, "amount_minor": {"type": "integer"},
            "currency": {"type": "string"}}},
        reference={"type": "string"}, referrer_data=_REFERRER,
    ),
    "PersonInput": {
        "type": "object", "required": ["person", "consent_given"],
        "properties": {
            "person": {"type": "object", "required": ["email_addresses"], "properties": {
                "given_name": {"type": "string"}, "family_name": {"type": "string"},
                "email_addresses": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["address"],
                    "properties": {"address": {"type": "string"},
                                   "primary": {"type": "boolean"},
                                   "status": {"enum": ["subscribed", "unsubscribed"],
                                              "description": "subscribed: the person asked "
                                              "for the campaign's email updates"}}}},
                "postal_addresses": {"type": "array", "items": {
                    "type": "object", "properties": {"country": {
                        "type": "string", "description": "ISO 3166-1 alpha-2"}}}},
                "custom_fields": {"type": "object", "properties": {
                    "full_name": {"type": "string"}, "affiliation": {"type": "string"}}}}},
            "consent_given": {"type": "boolean", "description":
                              "True once the person agreed to the privacy notice; required."},
        },
    },
}
SCHEMAS["SignatureInput"] = {"allOf": [{"$ref": "#/components/schemas/PersonInput"}, {
    "type": "object", "properties": {
        "comments": {"type": "string"}, "personal_capacity": {"type": "boolean"},
        "show_publicly": {"type": "boolean"}}}]}
SCHEMAS["AttendanceInput"] = {"allOf": [{"$ref": "#/components/schemas/PersonInput"}, {
    "type": "object", "properties": {
        "ticket_type": {"type": "integer", "description": "The ticket's number; default the first"},
        "amount": {"type": "string", "description": "A pledge for a pay-what-you-can ticket"}}}]}
for _name, _plural in (("Person", "people"), ("Petition", "petitions"),
                       ("Signature", "signatures"), ("Event", "events"),
                       ("Attendance", "attendances")):
    SCHEMAS[f"{_name}Collection"] = {
        "type": "object",
        "required": ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"],
        "properties": {
            "total_pages": {"type": "integer", "minimum": 0},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "page": {"type": "integer", "minimum": 1},
            "total_records": {"type": "integer", "minimum": 0},
            "_links": _LINKS,
            "_embedded": {"type": "object", "required": [f"osdi:{_plural}"], "properties": {
                f"osdi:{_plural}": {"type": "array",
                                    "items": {"$ref": f"#/components/schemas/{_name}"}}}},
        },
    }

_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                               "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 100}},
    {"name": "filter", "in": "query", "description": "modified_date gt 'ISO 8601 time' "
     "(or lt)", "schema": {"type": "string"}},
]


def _answer(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {
        "application/hal+json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_ERRORS = {"400": _error("Bad paging or filter"), "401": _error("No valid API key"),
           "429": _error("Too many requests for this key")}


def _id(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": schema or {"type": "integer", "minimum": 1}}


def _get(schema: str, summary: str, secured: bool, parameters=(), paged=False) -> dict:
    operation = {"summary": summary, "parameters": [*parameters, *(_PAGING if paged else [])],
                 "responses": {"200": _answer(schema), **_ERRORS,
                               "404": _error("No such record")}}
    operation["security"] = [{"apiKey": []}] if secured else [{}, {"apiKey": []}]
    return operation


def _post(schema: str, answer: str, summary: str, parameters) -> dict:
    return {
        "summary": summary, "parameters": parameters, "security": [{"apiKey": []}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "responses": {"200": _answer(answer, "Recorded (or recorded before)"), **_ERRORS,
                      "403": _error("The key may only read"), "404": _error("No such record"),
                      "409": _error("Not open now"), "415": _error("Not JSON"),
                      "422": _error("Fields to correct")},
    }


def description() -> dict:
    petition_id, event_id = _id("petition_id"), _id("event_id")
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{campaign_name()} OSDI API", "version": "1.0",
                 "description": "OSDI 1.x (HAL+JSON). Personal data needs an API key; writing "
                                "needs a key with the write scope."},
        "servers": [{"url": absolute_url("api.v1.entry_point").rstrip("/")}],
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header",
                                           "name": "OSDI-API-Token"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/": {"get": _get("EntryPoint", "The entry point and its osdi: links", False)},
            "/people": {"get": _get("PersonCollection", "People", True, paged=True)},
            "/people/{key}": {"get": _get("Person", "A person", True, [
                _id("key", {"type": "string", "pattern": "^[0-9a-f]{64}$"})])},
            "/petitions": {"get": _get("PetitionCollection", "Petitions (statements)", False,
                                       paged=True)},
            "/petitions/{petition_id}": {"get": _get("Petition", "A petition", False,
                                                     [petition_id])},
            "/petitions/{petition_id}/signatures": {
                "get": _get("SignatureCollection", "A petition's signatures", True,
                            [petition_id], paged=True),
                "post": _post("SignatureInput", "Signature", "Record signature helper",
                              [petition_id]),
            },
            "/signatures": {"get": _get("SignatureCollection", "Signatures", True, paged=True)},
            "/signatures/{signature_id}": {"get": _get("Signature", "A signature", True,
                                                       [_id("signature_id")])},
            "/events": {"get": _get("EventCollection", "Events", False, paged=True)},
            "/events/{event_id}": {"get": _get("Event", "An event", False, [event_id])},
            "/events/{event_id}/attendances": {
                "get": _get("AttendanceCollection", "An event's attendances", True, [event_id],
                            paged=True),
                "post": _post("AttendanceInput", "Attendance", "Record attendance helper",
                              [event_id]),
            },
            "/attendances": {"get": _get("AttendanceCollection", "Attendances", True,
                                         paged=True)},
            "/attendances/{attendance_id}": {"get": _get("Attendance", "An attendance", True,
                                                         [_id("attendance_id")])},
        },
    }
