"""A partner's CRM reads and writes through the OSDI API at /api/v1/ with an API key."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.api.keys import create_key
from campaign.common.hashing import email_index
from campaign.api.models import ApiKey, ApiScope
from campaign.common.time import utcnow
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Signature
from campaign.statements.models import StatementStatus


@pytest.fixture
def api_key(app):
    def make(scope=ApiScope.read):
        return create_key("Action Network sync", scope, actor="cli:test").secret
    return make


def _get(client, url, key=None, **kwargs):
    headers = {"OSDI-API-Token": key} if key else {}
    return client.get(url, headers=headers, **kwargs)


def _signing_body(**overrides):
    body = {"person": {"given_name": "Olena", "family_name": "Kovalenko",
                       "email_addresses": [{"address": "olena@example.org", "primary": True}],
                       "postal_addresses": [{"country": "UA"}],
                       "custom_fields": {"affiliation": "Kyiv University"}},
            "consent_given": True}
    body.update(overrides)
    return body


def test_the_entry_point_links_every_osdi_collection(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.mimetype == "application/hal+json"
    links = response.get_json()["_links"]
    for name in ("people", "petitions", "signatures", "events", "attendances"):
        assert links[f"osdi:{name}"]["href"] == f"http://localhost/api/v1/{name}"


def test_anyone_reads_petitions_but_personal_data_needs_a_key(client, make_statement,
                                                               make_signature):
    statement = make_statement()
    make_signature(statement)
    petitions = client.get("/api/v1/petitions").get_json()
    assert petitions["total_records"] == 1
    assert petitions["_embedded"]["osdi:petitions"][0]["title"] == statement.title
    for url in ("/api/v1/people", "/api/v1/signatures", "/api/v1/attendances",
                f"/api/v1/petitions/{statement.id}/signatures"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "API key" in response.get_json()["error"]


def test_a_key_reads_people_with_their_addresses(client, api_key, make_statement, make_signature,
                                                 make_event):
    statement = make_statement()
    make_signature(statement, name="Ada Lovelace", email="ada@example.org", country="GB")
    event = make_event()
    db.session.add(Registration(event_id=event.id, ticket_type_id=event.ticket_types[0].id,
                                name="Ada Lovelace", email="ADA@example.org",
                                status=RegistrationStatus.confirmed, reference="ABCDEFGH"))
    db.session.commit()
    people = _get(client, "/api/v1/people", api_key()).get_json()
    assert people["total_records"] == 1, "one address that signed and registered is one person"
    ada = people["_embedded"]["osdi:people"][0]
    assert (ada["given_name"], ada["family_name"]) == ("Ada", "Lovelace")
    assert ada["postal_addresses"][0]["country"] == "GB"
    one = _get(client, ada["_links"]["self"]["href"], api_key()).get_json()
    assert one["identifiers"] == ada["identifiers"]


def test_an_unknown_or_revoked_key_is_refused(client, app, api_key, runner):
    assert _get(client, "/api/v1/people", "cpk_not-a-key").status_code == 401
    secret = api_key()
    key = db.session.scalar(select(ApiKey))
    result = runner.invoke(args=["api-keys", "revoke", str(key.id)])
    assert result.exit_code == 0, result.output
    assert _get(client, "/api/v1/people", secret).status_code == 401


def test_a_key_shows_when_it_was_last_used(client, api_key):
    secret = api_key()
    assert db.session.scalar(select(ApiKey)).last_used_at is None
    _get(client, "/api/v1/signatures", secret)
    db.session.expire_all()
    assert db.session.scalar(select(ApiKey)).last_used_at is not None


def test_collections_page_with_bounded_numbers(client, make_statement):
    for number in range(5):
        make_statement(slug=f"statement-{number}")
    page = client.get("/api/v1/petitions?per_page=2&page=2").get_json()
    assert (page["page"], page["per_page"], page["total_records"], page["total_pages"]) == \
        (2, 2, 5, 3)
    assert len(page["_embedded"]["osdi:petitions"]) == 2
    assert "page=3" in page["_links"]["next"]["href"]
    assert "page=1" in page["_links"]["prev"]["href"]
    for bad in ("per_page=101", "per_page=0", "page=0", "page=99999999", "page=x",
                "page=%00", "per_page=-1"):
        response = client.get(f"/api/v1/petitions?{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"]


def test_the_modified_date_filter_gives_what_changed_since(client, api_key, make_statement,
                                                           make_signature):
    statement = make_statement()
    old = make_signature(statement, name="Old Signatory")
    old.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    make_signature(statement, name="New Signatory")
    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = _get(client, f"/api/v1/signatures?filter=modified_date gt '{since}'",
                   api_key()).get_json()
    assert changed["total_records"] == 1
    before = _get(client, f"/api/v1/signatures?filter=modified_date lt '{since}'",
                  api_key()).get_json()
    assert before["total_records"] == 1
    people = _get(client, f"/api/v1/people?filter=modified_date gt '{since}'", api_key())
    assert people.get_json()["total_records"] == 1
    for bad in ("modified_date gt 'yesterday'", "name eq 'x'", "modified_date gt " + "'1" * 50,
                "modified_date gt '2026-01-01'; DROP TABLE signatures"):
        response = _get(client, "/api/v1/signatures", api_key(), query_string={"filter": bad})
        assert response.status_code == 400, bad


def test_signing_through_the_api_follows_the_signing_rules(client, api_key, make_statement,
                                                           emailed_link):
    statement = make_statement(requires_confirmation=True)
    key = api_key(ApiScope.write)
    url = f"/api/v1/petitions/{statement.id}/signatures"
    response = client.post(url, json=_signing_body(), headers={"OSDI-API-Token": key})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "pending", "it waits for the emailed confirmation"
    assert emailed_link("olena@example.org", "confirm")
    again = client.post(url, json=_signing_body(), headers={"OSDI-API-Token": key})
    assert again.status_code == 200
    assert again.get_json()["identifiers"] == response.get_json()["identifiers"]
    assert len(db.session.scalars(select(Signature)).all()) == 1


def test_a_partner_passes_on_who_asked_for_updates_and_reads_who_gets_them(client, api_key,
                                                                          make_statement,
                                                                          make_event):
    statement, event = make_statement(), make_event()
    write = {"OSDI-API-Token": api_key(ApiScope.write)}
    asked = _signing_body(person={"given_name": "Olena", "email_addresses": [
        {"address": "olena@example.org", "primary": True, "status": "subscribed"}]})
    not_asked = _signing_body(person={"given_name": "Ivan", "email_addresses": [
        {"address": "ivan@example.org", "primary": True}]})
    registrant = _signing_body(person={"given_name": "Maria", "email_addresses": [
        {"address": "maria@example.org", "status": "subscribed"}]})

    for body in (asked, not_asked):
        assert client.post(f"/api/v1/petitions/{statement.id}/signatures", json=body,
                           headers=write).status_code == 200
    assert client.post(f"/api/v1/events/{event.id}/attendances", json=registrant,
                       headers=write).status_code == 200
    tell_new_signatories()  # the mail sender writes the signatories' supporter records

    people = _get(client, "/api/v1/people?per_page=10", write["OSDI-API-Token"]).get_json()
    statuses = {person["email_addresses"][0]["address"]: person["email_addresses"][0]["status"]
                for person in people["_embedded"]["osdi:people"]}
    assert statuses == {"olena@example.org": "subscribed", "ivan@example.org": "unsubscribed",
                        "maria@example.org": "subscribed"}
    opted_in = dict(db.session.execute(select(Signature.name, Signature.wants_updates)).all())
    assert opted_in == {"Olena": True, "Ivan": False}


def test_an_email_status_that_is_not_text_is_a_clear_422(client, api_key, make_statement):
    statement = make_statement()
    body = _signing_body(person={"given_name": "Olena", "email_addresses": [
        {"address": "olena@example.org", "status": True}]})
    response = client.post(f"/api/v1/petitions/{statement.id}/signatures", json=body,
                           headers={"OSDI-API-Token": api_key(ApiScope.write)})
    assert response.status_code == 422
    assert "email_addresses" in response.get_json()["errors"]


@pytest.mark.parametrize("body, field", [
    (_signing_body(consent_given=False), "consent_given"),
    (_signing_body(person={"email_addresses": [{"address": "olena@example.org"}]}), "name"),
    (_signing_body(person={"given_name": "=HYPERLINK(\"x\")\u202e",
                           "email_addresses": [{"address": "olena@example.org"}]}), "name"),
    (_signing_body(person={"given_name": "Olena\x00",
                           "email_addresses": [{"address": "olena@example.org"}]}), "name"),
    (_signing_body(person={"given_name": "Olena", "email_addresses": [{"address": "not mail"}]}),
     "email"),
    (_signing_body(person={"given_name": "O" * 500,
                           "email_addresses": [{"address": "olena@example.org"}]}), "name"),
    (_signing_body(person={"given_name": "Olena", "postal_addresses": [{"country": "XX"}],
                           "email_addresses": [{"address": "olena@example.org"}]}), "country"),
    (_signing_body(person={"given_name": 7, "email_addresses": []}), "given_name"),
])
def test_bad_signing_input_is_a_clear_422(client, api_key, make_statement, body, field):
    statement = make_statement()
    response = client.post(f"/api/v1/petitions/{statement.id}/signatures", json=body,
                           headers={"OSDI-API-Token": api_key(ApiScope.write)})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]
    assert db.session.scalar(select(Signature)) is None


def test_writing_needs_a_write_key_json_and_an_open_statement(client, api_key, make_statement):
    statement = make_statement()
    url = f"/api/v1/petitions/{statement.id}/signatures"
    assert client.post(url, json=_signing_body()).status_code == 401
    read = {"OSDI-API-Token": api_key()}
    assert client.post(url, json=_signing_body(), headers=read).status_code == 403
    write = {"OSDI-API-Token": api_key(ApiScope.write)}
    assert client.post(url, data="name=x", headers=write).status_code == 415
    assert client.post(url, data="{not json", headers=write,
                       content_type="application/json").status_code == 400
    assert client.post(url, json=["a list"], headers=write).status_code == 422
    assert client.post(url, data="x" * 70_000, headers=write,
                       content_type="application/json").status_code == 413
    assert client.post("/api/v1/petitions/999999/signatures", json=_signing_body(),
                       headers=write).status_code == 404
    assert client.put(url, json=_signing_body(), headers=write).status_code == 405
    statement.status = StatementStatus.closed
    db.session.commit()
    assert client.post(url, json=_signing_body(), headers=write).status_code == 409


def test_everyone_registered_for_a_cancelled_event_reads_as_declined_and_changed(
        client, api_key, make_event, logged_in):
    event = make_event()
    long_ago = utcnow() - timedelta(days=3)
    for status in RegistrationStatus:
        db.session.add(Registration(
            event_id=event.id, ticket_type_id=event.ticket_types[0].id, name="Guest",
            email=f"{status.value}@example.org", status=status, reference=status.name.upper(),
            updated_at=long_ago))
    db.session.commit()
    url = f"/api/v1/events/{event.id}/attendances"
    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed_since = {"filter": f"modified_date gt '{since}'"}
    assert _get(client, url, api_key(), query_string=changed_since).get_json()[
        "total_records"] == 0

    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}"
    client.submit(f"{page}/cancel", page=page)
    listed = _get(client, url, api_key(), query_string=changed_since).get_json()
    assert listed["total_records"] == 3, "those the cancellation ended, not the one cancelled"
    assert {attendance["reference"] for attendance in listed["_embedded"]["osdi:attendances"]} \
        == {"CONFIRMED", "WAITLISTED", "AWAITING_PAYMENT"}
    everyone = _get(client, url, api_key()).get_json()["_embedded"]["osdi:attendances"]
    assert [attendance["status"] for attendance in everyone] == ["declined"] * 4


def test_every_registration_of_a_published_event_reads_as_an_osdi_status(client, api_key,
                                                                         make_event):
    """Someone still paying online holds a place but has not taken it: tentative."""
    event = make_event()
    for status in RegistrationStatus:
        db.session.add(Registration(
            event_id=event.id, ticket_type_id=event.ticket_types[0].id, name="Guest",
            email=f"{status.value}@example.org", status=status, reference=status.name.upper()))
    db.session.commit()

    response = _get(client, f"/api/v1/events/{event.id}/attendances", api_key())

    assert response.status_code == 200
    assert {attendance["reference"]: attendance["status"]
            for attendance in response.get_json()["_embedded"]["osdi:attendances"]} == {
        "CONFIRMED": "accepted", "WAITLISTED": "tentative", "CANCELLED": "declined",
        "AWAITING_PAYMENT": "tentative"}


def test_registering_through_the_api_takes_a_place_or_the_waiting_list(client, api_key,
                                                                        make_event):
    event = make_event(capacity=1)
    url = f"/api/v1/events/{event.id}/attendances"
    write = {"OSDI-API-Token": api_key(ApiScope.write)}
    first = client.post(url, json=_signing_body(), headers=write)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json()["status"] == "accepted"
    second = client.post(url, headers=write, json=_signing_body(person={
        "given_name": "Ivan", "email_addresses": [{"address": "ivan@example.org"}]}))
    assert second.get_json()["status"] == "tentative"
    assert client.post(url, json=_signing_body(ticket_type=987654), headers=write) \
        .status_code == 422
    listed = _get(client, url, write["OSDI-API-Token"]).get_json()
    assert listed["total_records"] == 2


def test_each_key_has_its_own_rate_limit(settings, api_key, make_statement):
    settings.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    from campaign import create_app

    app = create_app(settings)
    with app.test_client() as client:
        with app.app_context():
            first, second = create_key("one", ApiScope.read).secret, \
                create_key("two", ApiScope.read).secret
        answers = [_get(client, "/api/v1/people", first).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        assert _get(client, "/api/v1/people", second).status_code == 200


def test_signing_again_and_again_through_the_api_mails_the_address_no_more_than_the_form_does(
        app, client, api_key, make_statement):
    app.config["MAIL_PER_RECIPIENT_DAILY"] = 3
    statement = make_statement(requires_confirmation=True)
    write = {"OSDI-API-Token": api_key(ApiScope.write)}
    for _ in range(6):
        response = client.post(f"/api/v1/petitions/{statement.id}/signatures",
                               json=_signing_body(), headers=write)
        assert response.status_code == 200
    sent = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index("olena@example.org"))).all()
    assert len(sent) == 3
