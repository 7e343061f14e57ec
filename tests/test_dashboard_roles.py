"""Every dashboard route declares the role it needs, and the roles hold.

The walk over app.url_map catches any route someone adds later without `require_role`.
"""
import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from campaign.extensions import db
from campaign.organizers.models import Organizer, Role
from campaign.audit.models import AuditEntry
from tests.conftest import PASSWORD


def _dashboard_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/dashboard")]
    assert len(rules) > 10, "the dashboard routes were not found"
    return rules


def _url(rule) -> str:
    """A URL for `rule` with made-up values: the role check comes before any look-up."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_dashboard_route_declares_its_role(app):
    missing = [rule.rule for rule in _dashboard_rules(app)
               if not isinstance(getattr(app.view_functions[rule.endpoint], "required_role", None),
                                 Role)]
    assert missing == []


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_route(client, app):
    token = client.csrf_token("/login")
    for rule in _dashboard_rules(app):
        url = _url(rule)
        for method in _methods(rule):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login"), (method, url)


def test_a_viewer_is_refused_every_route_that_needs_more(client, app, logged_in):
    logged_in(Role.viewer)
    token = client.csrf_token("/dashboard")
    checked = 0
    for rule in _dashboard_rules(app):
        if app.view_functions[rule.endpoint].required_role is Role.viewer:
            continue
        for method in _methods(rule):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(_url(rule), method=method, data=data)
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked += 1
    assert checked > 5


def test_an_editor_is_refused_the_owner_routes(client, app, logged_in):
    logged_in(Role.editor)
    token = client.csrf_token("/dashboard")
    owner_rules = [rule for rule in _dashboard_rules(app)
                   if app.view_functions[rule.endpoint].required_role is Role.owner]
    assert owner_rules, "the organizers page needs an owner"
    for rule in owner_rules:
        for method in _methods(rule):
            data = {"csrf_token": token} if method != "GET" else None
            assert client.open(_url(rule), method=method, data=data).status_code == 403


def test_a_viewer_reads_every_page_meant_for_viewers(client, app, logged_in, make_statement):
    make_statement()
    logged_in(Role.viewer)
    for rule in _dashboard_rules(app):
        if app.view_functions[rule.endpoint].required_role is not Role.viewer:
            continue
        if "GET" in rule.methods:
            assert client.get(_url(rule)).status_code in (200, 404), rule.rule


# The organizers page ----------------------------------------------------------------


def test_an_owner_adds_an_organizer_who_can_then_log_in(client, app, logged_in):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", {
        "name": "Taras Editor", "email": "Taras@Example.org", "role": "editor",
        "password": "a long enough password",
    }, page="/dashboard/organizers")
    assert response.status_code == 303
    page = client.get("/dashboard/organizers").get_data(as_text=True)
    assert "taras@example.org" in page and "Editor: also changes" in page
    added = db.session.scalar(select(Organizer).where(Organizer.email == "taras@example.org"))
    assert added.role is Role.editor
    assert db.session.scalar(
        select(AuditEntry.target).where(AuditEntry.action == "organizer.create")
    ) == "organizer:taras@example.org"

    other = app.test_client()
    response = other.submit("/login", {"email": "taras@example.org",
                                       "password": "a long enough password"})
    assert response.status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Enter the organizer"),
    ({"name": "A", "email": "not-an-email", "role": "viewer", "password": "x" * 12},
     "Enter an email address like name@example.org."),
    ({"name": "A", "email": "a@example.org", "role": "emperor", "password": "x" * 12},
     "Not a valid choice"),
    ({"name": "A", "email": "a@example.org", "role": "viewer", "password": "short"},
     "The password must be 10 to 1000 characters."),
    ({"name": "A\x00", "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Remove the control characters"),
    ({"name": "x" * 10_000, "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Field cannot be longer than 200 characters."),
])
def test_bad_organizer_details_are_refused_with_a_message(client, logged_in, data, message):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", data, page="/dashboard/organizers")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Organizer).where(Organizer.email == "a@example.org")) is None


def test_an_email_already_in_use_is_refused(client, logged_in, make_organizer):
    make_organizer(Role.viewer, email="taken@example.org")
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", {
        "name": "B", "email": "TAKEN@example.org", "role": "viewer", "password": "x" * 12,
    }, page="/dashboard/organizers")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_a_deactivated_organizer_is_logged_out_and_cannot_log_in(app, client, logged_in,
                                                                 make_organizer, login):
    editor = make_organizer(Role.editor)
    editor_client = app.test_client()
    editor_client.submit("/login", {"email": editor.email, "password": PASSWORD})
    assert editor_client.get("/dashboard").status_code == 200

    logged_in(Role.owner)
    response = client.submit(f"/dashboard/organizers/{editor.id}/deactivate",
                             page="/dashboard/organizers")
    assert response.status_code == 303
    db.session.refresh(editor)
    assert editor.active is False
    assert editor_client.get("/dashboard").status_code == 302
    again = app.test_client().submit("/login", {"email": editor.email, "password": PASSWORD})
    assert again.status_code == 400


def test_an_owner_cannot_deactivate_themselves(client, logged_in):
    owner = logged_in(Role.owner)
    response = client.submit(f"/dashboard/organizers/{owner.id}/deactivate",
                             page="/dashboard/organizers", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.active is True


def test_deactivating_an_unknown_organizer_answers_404(client, logged_in):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers/999999/deactivate",
                             page="/dashboard/organizers")
    assert response.status_code == 404
    assert client.get("/dashboard/organizers/1/deactivate").status_code == 405
