"""An editor writes an update in the dashboard, previews it for a sample recipient, sends
themselves a test, sends it after being asked, watches it, and can stop it; an event's page
leads to messaging its registrants."""
import re

from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.organizers.models import Role
from campaign.updates.models import Update, UpdateStatus


def write(client, audience, subject="We delivered the statement", body="It was **handed in**.",
          **extra):
    data = {"audience": audience, "registrant_group": "all", "subject": subject, "body": body}
    data.update(extra)
    return client.submit("/dashboard/updates/new", data, page="/dashboard/updates/new")


def test_an_editor_writes_previews_tests_and_sends_an_update(
        client, logged_in, make_statement, sign):
    statement = make_statement()
    sign(statement, name="Olena Kovalenko", email="olena@example.org", email_updates="y")
    editor = logged_in(Role.editor)
    response = write(client, f"statement:{statement.slug}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Preview for Olena Kovalenko" in page
    assert "Dear Olena Kovalenko," in page and "handed in" in page
    item = db.session.scalars(select(Update)).one()

    client.submit(f"/dashboard/updates/{item.id}/test", page=f"/dashboard/updates/{item.id}")
    [test] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index(editor.email))).all()
    assert test.subject == "[Test] We delivered the statement"
    assert test.unsubscribe_url is None

    question = client.get(f"/dashboard/updates/{item.id}/send")
    assert "Send “We delivered the statement” now?" in question.get_data(as_text=True)
    assert "1 people" in question.get_data(as_text=True)
    db.session.refresh(item)
    assert item.status is UpdateStatus.draft  # asking changes nothing
    sent = client.submit(f"/dashboard/updates/{item.id}/send", {"send_at": ""},
                         page=f"/dashboard/updates/{item.id}")
    assert sent.status_code == 303
    send_due()
    page = client.get(f"/dashboard/updates/{item.id}").get_data(as_text=True)
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert figures["Audience"] == "1" and figures["Sent"] == "1" and figures["Queued"] == "0"
    listing = client.get("/dashboard/updates").get_data(as_text=True)
    assert "We delivered the statement" in listing and "Sent" in listing


def test_a_send_in_progress_reloads_live_and_can_be_stopped_after_a_question(
        client, logged_in, make_statement, sign):
    statement = make_statement()
    sign(statement, email="a@example.org", email_updates="y")
    logged_in(Role.editor)
    item_url = write(client, f"statement:{statement.slug}").headers["Location"]
    item = db.session.scalars(select(Update)).one()
    question = client.get(f"/dashboard/updates/{item.id}/send?send_at=2099-01-01T09:00")
    assert "” at 1 January 2099, 09:00 UTC?" in question.get_data(as_text=True)
    client.submit(f"/dashboard/updates/{item.id}/send", {"send_at": "2099-01-01T09:00"},
                  page=item_url)
    page = client.get(item_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Scheduled" in page
    assert "1 January 2099, 09:00 UTC" in page and "UTC UTC" not in page
    assert "Stop sending" in client.get(f"/dashboard/updates/{item.id}/stop").get_data(
        as_text=True)
    client.submit(f"/dashboard/updates/{item.id}/stop", page=item_url)
    db.session.refresh(item)
    assert item.status is UpdateStatus.stopped
    assert 'http-equiv="refresh"' not in client.get(item_url).get_data(as_text=True)


def test_the_event_page_leads_to_messaging_its_registrants(
        client, logged_in, make_event, register):
    event = make_event()
    register(event, email="comes@example.org")
    logged_in(Role.editor)
    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    link = re.search(r'href="(/dashboard/updates/new\?event_id=\d+)"', page).group(1)
    form = client.get(link).get_data(as_text=True)
    assert re.search(rf'<option selected value="event:{event.slug}"', form)
    response = write(client, f"event:{event.slug}", subject="Room change",
                     body="We are now in Committee Room 14.", registrant_group="confirmed")
    assert response.status_code == 303
    item = db.session.scalars(select(Update)).one()
    assert item.event_id == event.id
    assert "To the registrants of" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_bad_input_gets_a_message_and_a_4xx(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    audience = f"statement:{statement.slug}"
    for data in ({"audience": "statement:unknown"}, {"subject": ""}, {"subject": "x" * 400},
                 {"subject": "Hi\x00"}, {"body": ""}, {"country": "Ukraine"},
                 {"source": "=HYPERLINK(1)"}, {"registrant_group": "everyone"}):
        fields = {"audience": audience, "subject": "Hi", "body": "Text"} | data
        response = write(client, **fields)
        assert response.status_code == 400, data
        assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalars(select(Update)).all() == []
    assert client.get("/dashboard/updates/999999").status_code == 404
    assert client.get("/dashboard/updates/99999999999999999999").status_code == 404
    assert client.get("/dashboard/updates/new?event_id=99999999999999999999").status_code == 200
    assert client.delete("/dashboard/updates").status_code == 405


def test_a_bad_time_or_a_second_send_is_answered_with_a_message(
        client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    item_url = write(client, f"statement:{statement.slug}").headers["Location"]
    item = db.session.scalars(select(Update)).one()
    bad = client.get(f"/dashboard/updates/{item.id}/send?send_at=tomorrow")
    assert bad.status_code == 303
    client.submit(f"/dashboard/updates/{item.id}/send", {"send_at": ""}, page=item_url)
    send_due()
    again = client.submit(f"/dashboard/updates/{item.id}/send", {"send_at": ""}, page=item_url,
                          follow_redirects=True)
    assert "already been sent" in again.get_data(as_text=True)
