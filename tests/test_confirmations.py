"""Every destructive or mass action in the dashboard asks first: its button leads to a page
that says in a sentence what will happen and changes nothing; that page's button does it."""
import html as html_text
import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from campaign.abuse.models import HiddenBatch
from campaign.common.time import utcnow
from campaign.events.models import EventStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Organizer, Role
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Demand
from tests.test_dashboard_roles import _database_fingerprint


def _text(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html_text.unescape(without_tags).split())


def the_question(client, url: str, method: str = "GET", data: dict | None = None,
                 page: str = "/dashboard"):
    """Open the page that asks (GET, or the POST of the button that leads there): it answers
    200 and changes nothing."""
    before = _database_fingerprint()
    response = client.get(url) if method == "GET" else client.submit(url, data, page=page)
    assert response.status_code == 200, response.status_code
    db.session.expire_all()
    assert _database_fingerprint() == before, "asking changed something"
    return response


def confirm(client, question, **kwargs):
    """Press the question's button: POST its form as a browser would."""
    action, body = re.search(r'<form method="post" action="([^"]+)" class="actions">(.*?)</form>',
                             question.get_data(as_text=True), re.S).groups()
    fields = {name: html_text.unescape(value)
              for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', body)}
    return client.post(html_text.unescape(action), data=fields, **kwargs)


def _links(client, page: str) -> str:
    return client.get(page).get_data(as_text=True)


def test_deleting_a_demand_asks_first_then_the_ones_after_it_move_up(
    client, logged_in, make_statement, make_signature
):
    statement = make_statement(demands=(("Aid", "Send aid now."), ("Peace", "A just peace."),
                                        ("Justice", "Try the war crimes.")))
    make_signature(statement)
    logged_in(Role.editor)
    aid = statement.demands[0]
    url = f"/dashboard/statements/{statement.id}/demands/{aid.id}/delete"
    assert f'href="{url}"' in _links(client, f"/dashboard/statements/{statement.id}")

    question = the_question(client, url)

    assert "Delete demand 1?" in _text(question)
    assert ("Demand 1, “Aid”, will be taken out of “A free and united Ukraine”, and the demands "
            "after it move up one place.") in _text(question)
    assert "so it is kept as version 1" in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert [(d.position, d.heading) for d in db.session.scalars(
        select(Demand).where(Demand.statement_id == statement.id).order_by(Demand.position))
    ] == [(1, "Peace"), (2, "Justice")]


def test_deleting_a_signature_asks_first(client, logged_in, make_statement, make_signature):
    statement = make_statement()
    signature = make_signature(statement, name="Spam Bot")
    counts.reconcile(statement.id)
    logged_in(Role.editor)
    url = f"/dashboard/signatures/{signature.id}/delete"

    question = the_question(client, url)

    assert ("The signature of Spam Bot on “A free and united Ukraine” will be removed for good"
            in _text(question))
    confirm(client, question)
    db.session.expire_all()
    assert db.session.get(Signature, signature.id) is None
    assert counts.totals(statement.id).counted == 0


def test_cancelling_an_event_says_how_many_people_will_be_emailed(
    client, logged_in, make_event, register
):
    event = make_event(capacity=2)
    for name in ("Mick Whelan", "Nadia Whittome", "Chris Kitchen"):
        register(event, name=name, email=f"{uuid.uuid4().hex[:8]}@example.org")
    logged_in(Role.editor)
    url = f"/dashboard/events/{event.id}/cancel"
    assert f'href="{url}"' in _links(client, f"/dashboard/events/{event.id}")
    mail_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    question = the_question(client, url)

    assert "Cancel “Launch meeting in Parliament”?" in _text(question)
    assert ("3 people registered, confirmed or on the waiting list, will be emailed that it is "
            "cancelled.") in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert event.status is EventStatus.cancelled
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mail_before + 3


def test_cancelling_an_event_nobody_registered_for_says_nobody_is_emailed(
    client, logged_in, make_event
):
    event = make_event()
    logged_in(Role.editor)
    question = the_question(client, f"/dashboard/events/{event.id}/cancel")
    assert "Nobody has registered, so nobody will be emailed." in _text(question)


def test_hiding_a_flagged_batch_asks_first(client, logged_in, make_statement, make_signature):
    statement = make_statement()
    for _ in range(11):
        make_signature(statement, ip_hash="a1" * 32)
    counts.reconcile(statement.id)
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"
    button = re.search(
        r'<form method="post" action="([^"]+/abuse/hide/confirm)"[^>]*>(.*?)</form>',
        client.get(page).get_data(as_text=True), re.S)
    fields = {name: html_text.unescape(value)
              for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', button.group(2))}
    fields.pop("csrf_token")

    question = the_question(client, button.group(1), "POST", fields, page=page)

    said = _text(question)
    assert "Hide these signatures?" in said
    assert "Every signature on “A free and united Ukraine” made between" in said
    assert "shares one network address (hashed: a1a1a1a1a1a1…) will be hidden" in said
    confirm(client, question)
    assert db.session.scalar(select(HiddenBatch)).hidden_count == 11
    assert counts.totals(statement.id).counted == 0


def test_erasing_a_person_asks_first(client, logged_in, make_statement, make_signature):
    statement = make_statement()
    make_signature(statement, name="Ian Ford", email="ianford@example.org")
    make_signature(make_statement(), name="Ian Ford", email="ianford@example.org")
    logged_in(Role.owner)
    person = client.submit("/dashboard/privacy", {"email": "ianford@example.org"},
                           page="/dashboard/privacy").get_data(as_text=True)
    assert "Erase everything…" in person and 'name="confirm"' not in person

    question = the_question(client, "/dashboard/privacy/erase", "POST",
                            {"email": "ianford@example.org"}, page="/dashboard/privacy")

    said = _text(question)
    assert "Erase everything held on ianford@example.org?" in said
    assert ("The name, email, affiliation and comment of 2 signatures and 0 registrations will "
            "be wiped and 0 emails deleted.") in said
    assert question.headers["Cache-Control"] == "no-store"
    erased = confirm(client, question, follow_redirects=True)
    assert "Erased everything held on that address" in erased.get_data(as_text=True)
    assert db.session.scalars(select(Signature).where(Signature.name == "Ian Ford")).all() == []


def test_deactivating_an_organizer_asks_first(client, logged_in, make_organizer):
    taras = make_organizer(Role.editor, name="Taras Editor", email="taras@example.org")
    logged_in(Role.owner)
    url = f"/dashboard/organizers/{taras.id}/deactivate"
    assert f'href="{url}"' in _links(client, "/dashboard/organizers")

    question = the_question(client, url)

    assert ("Taras Editor (taras@example.org) will be logged out everywhere and can no longer "
            "log in.") in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert db.session.get(Organizer, taras.id).active is False


def test_ending_an_organizers_sessions_asks_first(app, client, logged_in, make_organizer, login):
    taras = make_organizer(Role.editor, name="Taras Editor")
    laptop = app.test_client()
    laptop.submit("/login", {"email": taras.email, "password": "correct horse battery staple"})
    assert laptop.get("/dashboard").status_code == 200
    logged_in(Role.owner)

    question = the_question(client, f"/dashboard/organizers/{taras.id}/end-sessions")

    assert ("Taras Editor will be logged out in every browser and on every device, and must log "
            "in again with their password.") in _text(question)
    assert laptop.get("/dashboard").status_code == 200
    confirm(client, question)
    assert laptop.get("/dashboard").status_code == 302


def test_deleting_a_ticket_asks_first(client, logged_in, make_event):
    event = make_event(tickets=({"name": "Free ticket"}, {"name": "Supporter"}))
    supporter = event.ticket_types[1]
    logged_in(Role.editor)
    url = f"/dashboard/events/{event.id}/tickets/{supporter.id}/delete"
    assert f'href="{url}"' in _links(client, f"/dashboard/events/{event.id}/tickets")

    question = the_question(client, url)

    assert ("Nobody will be able to register for “Launch meeting in Parliament” with the ticket "
            "“Supporter” any more.") in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert [ticket.name for ticket in event.ticket_types] == ["Free ticket"]


def test_removing_a_speaker_asks_first(client, logged_in, make_event):
    event = make_event(speakers=({"name": "Yuliya Yurchenko"}, {"name": "Mick Whelan"}))
    yuliya = event.speakers[0]
    logged_in(Role.editor)
    url = f"/dashboard/events/{event.id}/speakers/{yuliya.id}/delete"
    assert f'href="{url}"' in _links(client, f"/dashboard/events/{event.id}/speakers")

    question = the_question(client, url)

    assert ("Yuliya Yurchenko and what is written about them will no longer be shown on the page "
            "of “Launch meeting in Parliament”") in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert [speaker.name for speaker in event.speakers] == ["Mick Whelan"]


def test_detaching_the_appeal_asks_first(client, logged_in, make_event):
    event = make_event(appeal={"name": "Miners' appeal", "currency": "GBP"})
    logged_in(Role.editor)
    url = f"/dashboard/events/{event.id}/appeal/detach"
    assert f'href="{url}"' in _links(client, f"/dashboard/events/{event.id}/appeal")

    question = the_question(client, url)

    assert ("The page of “Launch meeting in Parliament” will no longer show the appeal “Miners' "
            "appeal”") in _text(question)
    confirm(client, question)
    db.session.expire_all()
    assert event.appeal is None


def test_a_viewer_is_not_asked_and_cannot_confirm(client, logged_in, make_event):
    event = make_event()
    logged_in(Role.viewer)
    assert client.get(f"/dashboard/events/{event.id}/cancel").status_code == 403
    token = client.csrf_token(f"/dashboard/events/{event.id}")
    response = client.post(f"/dashboard/events/{event.id}/cancel", data={"csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert event.status is EventStatus.published


def test_a_tampered_flag_is_refused_before_anything_is_asked(
    client, logged_in, make_statement
):
    statement = make_statement()
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"
    now = utcnow()
    response = client.submit(f"{page}/hide/confirm", {
        "signal": "password", "value": "x", "since": (now - timedelta(hours=1)).isoformat(),
        "until": now.isoformat()}, page=page)
    assert response.status_code == 400
    assert db.session.scalar(select(HiddenBatch)) is None
    assert db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.status == SignatureStatus.hidden)) == 0
