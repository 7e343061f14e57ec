"""Signers are never lost at a meeting: many people signing from one network are held for
their email confirmation rather than refused, only a flood far above that is refused (and
keeps what was typed), and an organizer can approve a held group in the abuse review."""
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.organizers.models import Role
from campaign.signatures.models import Signature
from tests.conftest import PASSWORD

MEETING_WIFI = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def limits_on(settings):
    """The limits as shipped: SIGN_HOLD_AFTER and SIGN_FLOOD_LIMIT keep their defaults."""
    settings["RATELIMIT_ENABLED"] = True
    return settings


class Clock:
    """The clock of the rate limits and the signed links, moved on instead of waited for."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _phone(app):
    """A person's own phone on the meeting's Wi-Fi."""
    phone = app.test_client()
    phone.environ_base.update(MEETING_WIFI)
    return phone


def _person(number: int) -> dict:
    return {"name": f"Attendee {number:02d}", "email": f"attendee{number:02d}@example.org",
            "affiliation": "Unite, Leeds branch", "country": "GB", "show_publicly": "y",
            "consent": "y"}


def _stored(statement) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.statement_id == statement.id)
    )


def _outbox(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(to)).order_by(OutboxMessage.id)
    ))


def _count_shown(client, statement) -> str:
    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    return re.search(r'<p class="count" id="count"[^>]*>\s*([^<]+?)\s*</p>', page).group(1)


def test_eighty_people_on_one_wifi_within_five_minutes_are_all_kept_and_count_once_confirmed(
    limits_on, clock, app, client, make_statement, emailed_link
):
    statement = make_statement(requires_confirmation=False)
    people = [_person(number) for number in range(1, 81)]
    answers = []
    for person in people:  # 16 a minute for five minutes
        phone = _phone(app)
        signed = phone.submit(f"/s/{statement.slug}/sign", person, page=f"/s/{statement.slug}")
        answers.append((signed, phone.get(signed.headers["Location"]).get_data(as_text=True)))
        clock.advance(60 / 16)

    assert [signed.status_code for signed, _ in answers] == [302] * 80
    assert {signed.headers["Location"].split("?")[0] for signed, _ in answers} == {
        f"/s/{statement.slug}/thanks"}
    assert all("Thank you for signing" in thanks for _, thanks in answers)
    assert _stored(statement) == 80
    # The first counts at once; the others are held until they confirm.
    first, *held = people
    assert "Check your email" not in answers[0][1]
    assert all("Check your email and press the button in it" in thanks for _, thanks in answers[1:])
    assert _count_shown(client, statement) == "1 signature"
    public_page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert first["name"] in public_page
    assert not any(person["name"] in public_page for person in held)

    for person in held:
        link = emailed_link(person["email"], "confirm")
        confirmed = _phone(app).submit(link, page=link)
        assert "Your signature is confirmed" in confirmed.get_data(as_text=True)

    assert _count_shown(client, statement) == "80 signatures"
    listed = "".join(client.get(f"/s/{statement.slug}?page={page}").get_data(as_text=True)
                     for page in (1, 2))
    assert all(person["name"] in listed for person in people)


def test_a_held_signatory_without_the_email_asks_for_it_again_from_the_thank_you_page(
    limits_on, app, make_statement
):
    statement = make_statement(requires_confirmation=False)
    sign_page = f"/s/{statement.slug}"
    _phone(app).submit(f"{sign_page}/sign", _person(1), page=sign_page)
    phone = _phone(app)
    thanks = phone.submit(f"{sign_page}/sign", _person(2), page=sign_page).headers["Location"]

    page = phone.get(thanks).get_data(as_text=True)
    resend = re.search(r'<form method="post" action="([^"#]+)#resend"', page).group(1)
    resent = phone.submit(resend, {"email": "attendee02@example.org"}, page=thanks)
    send_due()

    assert "we have sent it an email again" in resent.get_data(as_text=True)
    assert [message.kind for message in _outbox("attendee02@example.org")] == [
        "signature_confirmation"] * 2


def test_a_script_posting_500_signatures_gets_none_counted_but_the_first_and_429_past_the_flood(
    limits_on, app, client, make_statement
):
    statement = make_statement(requires_confirmation=False)
    script = _phone(app)
    token = script.form_token()
    answers = [
        script.post(f"/s/{statement.slug}/sign", data={
            "form_token": token, "name": f"Bot {n}",
            "email": f"bot{n}-{uuid.uuid4().hex[:6]}@example.net",
            "affiliation": "Bots Ltd", "country": "KP", "comment": "Signed by a script",
            "personal_capacity": "y", "show_publicly": "y", "consent": "y",
        })
        for n in range(500)
    ]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [302] * 60 + [429] * 440  # SIGN_FLOOD_LIMIT: 60 per minute
    assert _stored(statement) == 60
    # Only the first, as one person signing would, counts without confirming by email.
    assert _count_shown(client, statement) == "1 signature"

    refused = answers[60]
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60
    page = refused.get_data(as_text=True)
    # "in 40 seconds", or "in 1 minute" when the window has only just begun
    waits = (f"Please try again in {wait} second", "Please try again in 1 minute")
    assert "Too many attempts" in page and any(words in page for words in waits)
    assert f'href="/s/{statement.slug}"' in page
    assert 'value="Bot 60"' in page and 'value="Bots Ltd"' in page
    assert re.search(r'value="bot60-\w{6}@example.net"', page)
    assert '<option selected value="KP">' in page
    assert "Signed by a script</textarea>" in page
    for box in ("personal_capacity", "show_publicly", "consent"):
        assert " checked " in re.search(rf'<input[^>]* id="{box}"[^>]*>', page).group()


def test_an_organizer_approves_a_held_group_so_they_count_and_the_audit_log_says_so(
    limits_on, app, client, make_statement, logged_in, make_organizer
):
    statement = make_statement(requires_confirmation=False)
    for number in range(1, 5):
        _phone(app).submit(f"/s/{statement.slug}/sign", _person(number),
                           page=f"/s/{statement.slug}")
    assert _count_shown(client, statement) == "1 signature"
    organizer = logged_in(Role.editor)
    review = f"/dashboard/statements/{statement.id}/abuse"

    page = client.get(review).get_data(as_text=True)
    assert "3 held signatures" in page
    assert all(f"Attendee 0{number}" in page for number in (2, 3, 4))
    assert "Its network address signed faster than one person does" in page
    ask = re.search(r'href="([^"]+/abuse/held/approve\?address=\w+)"', page).group(1)
    asked = client.get(ask).get_data(as_text=True)
    assert "Approve 3 held signatures?" in asked
    assert _count_shown(client, statement) == "1 signature"  # asking changes nothing

    address = re.search(r'name="address" value="(\w+)"', asked).group(1)
    approved = client.submit(f"/dashboard/statements/{statement.id}/abuse/held/approve",
                             {"address": address}, page=review, follow_redirects=True)

    assert "3 signatures are approved: they count now." in approved.get_data(as_text=True)
    assert "No signature is held." in approved.get_data(as_text=True)
    assert _count_shown(client, statement) == "4 signatures"
    owners_browser = app.test_client()
    owners_browser.submit("/login", {"email": make_organizer(Role.owner).email,
                                     "password": PASSWORD})
    audit = owners_browser.get("/dashboard/audit?action=abuse.approve_held")
    entry = audit.get_data(as_text=True)
    assert f"{organizer.name} approved 3 held signatures on “{statement.title}”" in entry
    assert "they count now" in entry
