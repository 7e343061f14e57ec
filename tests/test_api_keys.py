"""Owners make API keys on the dashboard or at the command line: shown once, kept as a hash,
revocable, their last use shown."""
import re

from sqlalchemy import select, text

from campaign.api.models import ApiKey, ApiScope
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.organizers.models import Role


def test_the_command_prints_a_key_once_and_keeps_only_its_hash(client, runner):
    result = runner.invoke(args=["api-keys", "create", "Action Network", "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("cpk_") and len(secret) > 40
    stored = db.session.execute(text("SELECT * FROM api_keys")).mappings().one()
    assert secret not in {str(value) for value in stored.values()}
    assert db.session.scalar(select(ApiKey)).scope is ApiScope.write
    assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {secret}"}) \
        .status_code == 200
    listed = runner.invoke(args=["api-keys", "list"]).output
    assert "Action Network" in listed and secret not in listed
    assert db.session.scalar(select(AuditEntry.action)) == "api_key.create"


def test_the_command_refuses_a_bad_name_or_scope(runner):
    assert runner.invoke(args=["api-keys", "create", "x", "--scope", "admin"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "create", "bad\x00name"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "create", "n" * 101]).exit_code != 0
    assert runner.invoke(args=["api-keys", "revoke", "424242"]).exit_code != 0
    assert db.session.scalar(select(ApiKey)) is None


def test_an_owner_makes_a_key_sees_its_use_and_revokes_it_after_a_question(client, logged_in):
    logged_in(Role.owner)
    made = client.submit("/dashboard/api-keys", {"name": "CiviCRM", "scope": "read"},
                         page="/dashboard/api-keys")
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-api-key">([^<]+)<', made.get_data(as_text=True))[1]
    assert secret not in client.get("/dashboard/api-keys").get_data(as_text=True), \
        "shown once"
    assert "Never" in client.get("/dashboard/api-keys").get_data(as_text=True)
    client.get("/api/v1/signatures", headers={"OSDI-API-Token": secret})
    assert "Never" not in client.get("/dashboard/api-keys").get_data(as_text=True)
    key = db.session.scalar(select(ApiKey))
    question = client.get(f"/dashboard/api-keys/{key.id}/revoke")
    assert "Revoke the API key" in question.get_data(as_text=True)
    assert client.get("/api/v1/signatures", headers={"OSDI-API-Token": secret}).status_code == 200
    client.submit(f"/dashboard/api-keys/{key.id}/revoke", page=f"/dashboard/api-keys/{key.id}/revoke")
    assert client.get("/api/v1/signatures", headers={"OSDI-API-Token": secret}).status_code == 401


def test_bad_key_forms_are_answered_with_a_message(client, logged_in):
    logged_in(Role.owner)
    for data in ({"name": "", "scope": "read"}, {"name": "x" * 500, "scope": "read"},
                 {"name": "CRM", "scope": "root"}, {"name": "CRM\x00", "scope": "read"}):
        response = client.submit("/dashboard/api-keys", data, page="/dashboard/api-keys")
        assert response.status_code == 400, data
        assert "error-message" in response.get_data(as_text=True)
    assert client.get("/dashboard/api-keys/99999/revoke").status_code == 404
    assert db.session.scalar(select(ApiKey)) is None


def test_editors_cannot_see_keys(client, logged_in):
    logged_in(Role.editor)
    assert client.get("/dashboard/api-keys").status_code == 403
