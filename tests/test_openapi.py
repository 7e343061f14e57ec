"""The API's OpenAPI 3.1 description is valid, and what the API really answers matches it."""
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from campaign.api.keys import create_key
from campaign.api.models import ApiScope
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_description_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def _check(spec, path: str, method: str, response):
    """`response` matches what the description says `method path` answers with its status."""
    operation = spec["paths"][path][method]
    answer = operation["responses"][str(response.status_code)]
    (media_type, content), = answer["content"].items()
    assert response.mimetype == media_type
    schema = {**content["schema"], "components": spec["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{method.upper()} {path} {response.status_code}: {errors[0]}"


def test_every_answer_matches_the_description(client, spec, make_statement, make_signature,
                                              make_event):
    key = {"OSDI-API-Token": create_key("CRM", ApiScope.write).secret}
    statement = make_statement()
    signature = make_signature(statement, name="Ada Lovelace", comment="Solidarity")
    event = make_event()
    db.session.add(Registration(event_id=event.id, ticket_type_id=event.ticket_types[0].id,
                                name="Ivan", email="ivan@example.org", reference="ABCDEFGH",
                                status=RegistrationStatus.waitlisted))
    db.session.commit()
    registration = db.session.query(Registration).one()
    checks = [
        ("/", "/api/v1/"),
        ("/people", "/api/v1/people"),
        ("/people/{key}", f"/api/v1/people/{signature.email_index}"),
        ("/petitions", "/api/v1/petitions?per_page=1"),
        ("/petitions/{petition_id}", f"/api/v1/petitions/{statement.id}"),
        ("/petitions/{petition_id}/signatures", f"/api/v1/petitions/{statement.id}/signatures"),
        ("/signatures", "/api/v1/signatures"),
        ("/signatures/{signature_id}", f"/api/v1/signatures/{signature.id}"),
        ("/events", "/api/v1/events"),
        ("/events/{event_id}", f"/api/v1/events/{event.id}"),
        ("/events/{event_id}/attendances", f"/api/v1/events/{event.id}/attendances"),
        ("/attendances", "/api/v1/attendances"),
        ("/attendances/{attendance_id}", f"/api/v1/attendances/{registration.id}"),
        ("/signatures", "/api/v1/signatures?page=0"),
        ("/signatures", "/api/v1/signatures?filter=nonsense"),
        ("/signatures/{signature_id}", "/api/v1/signatures/999999"),
    ]
    for path, url in checks:
        _check(spec, path, "get", client.get(url, headers=key))
    _check(spec, "/people", "get", client.get("/api/v1/people"))
    person = {"person": {"given_name": "Olena", "email_addresses": [{"address": "o@example.org"}]},
              "consent_given": True}
    _check(spec, "/petitions/{petition_id}/signatures", "post",
           client.post(f"/api/v1/petitions/{statement.id}/signatures", json=person, headers=key))
    _check(spec, "/events/{event_id}/attendances", "post",
           client.post(f"/api/v1/events/{event.id}/attendances", json=person, headers=key))
    _check(spec, "/events/{event_id}/attendances", "post",
           client.post(f"/api/v1/events/{event.id}/attendances", json={"person": {}},
                       headers=key))


def test_the_public_read_only_api_stays_as_it_was(client, make_statement):
    statement = make_statement()
    answer = client.get("/api/statements").get_json()
    assert [s["slug"] for s in answer["statements"]] == [statement.slug]
    assert set(answer) == {"statements", "page", "pages"}
