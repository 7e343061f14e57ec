"""The HTML of every page, public and dashboard, in each state that matters, passes the Nu HTML
Checker.

The pages are fetched with the test client and saved under test-artifacts/html/, then
checked in one run of vnu.jar (from npm's vnu-jar; needs java).
"""
import pytest

from campaign.extensions import db
from campaign.home.service import Identity, save_settings
from campaign.organizers.models import Role
from campaign.statements.models import StatementStatus
from tests.browser.conftest import html_errors
from tests.browser.test_home import emblem_png
from tests.pages import html_pages

pytestmark = pytest.mark.browser


def test_every_public_page_is_valid_html(app, client, scene):
    statement, event = scene["statement"], scene["event"]
    documents = {
        endpoint: client.get(path).get_data(as_text=True)
        for endpoint, path in html_pages(app, client, scene, dashboard=False)
    }
    documents["statement with errors"] = client.submit(
        f"/s/{statement.slug}/sign", {"email": "not an address"}, page=f"/s/{statement.slug}"
    ).get_data(as_text=True)
    documents["login with errors"] = client.submit("/login", {"email": "x"}).get_data(as_text=True)
    documents["event with errors"] = client.submit(
        f"/e/{event.slug}", {"name": ""}, page=f"/e/{event.slug}"
    ).get_data(as_text=True)
    documents["page not found"] = client.get("/no-such-page").get_data(as_text=True)
    documents["registered: check your email"] = client.submit(
        f"/e/{event.slug}", {"name": "Oksana Holota", "email": "new@example.org", "consent": "y",
                             "ticket": str(event.ticket_types[0].id)}, page=f"/e/{event.slug}"
    ).get_data(as_text=True)
    documents["thank-you, asked to confirm"] = client.get(
        f"/s/{statement.slug}/thanks?confirm=email").get_data(as_text=True)
    save_settings(Identity(name="Ukraine Solidarity Campaign", tagline="With Ukraine's unions.",
                           accent_colour="#0057b7"), emblem_png())
    documents["home with a logo and tagline"] = client.get("/").get_data(as_text=True)
    statement.status = StatementStatus.closed
    db.session.commit()
    documents["closed statement"] = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    documents["closed widget"] = client.get(f"/s/{statement.slug}/embed").get_data(as_text=True)

    errors = html_errors(documents)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )


def test_every_dashboard_page_is_valid_html(app, client, scene, make_organizer, login,
                                            make_signature):
    """Each dashboard page as an owner sees it, the questions asked before destructive actions
    among them, and the public page of what an amendment changed."""
    from campaign.statements.service import update_statement

    login(make_organizer(Role.owner))
    documents = {
        endpoint: client.get(path).get_data(as_text=True)
        for endpoint, path in html_pages(app, client, scene, dashboard=True)
    }
    assert "dashboard.event_cancel" in documents and "dashboard.demand_delete" in documents
    documents["erase question"] = client.submit(
        "/dashboard/privacy/erase", {"email": "oksana@example.org"}, page="/dashboard/privacy"
    ).get_data(as_text=True)
    statement = scene["statement"]
    make_signature(statement, email="signed@example.org")
    update_statement(statement, title="A free, united and democratic Ukraine")
    documents["revisions with changes"] = client.get(
        f"/s/{statement.slug}/revisions").get_data(as_text=True)

    errors = html_errors(documents)
    assert not errors, "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )
