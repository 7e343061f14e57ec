"""Registering never tells the browser whether an address was already registered: a new
registrant, a repeat, a waiting-list place and a bot all get the same "Check your email" page,
and the ticket is reached only from the link emailed to the address."""
import re

import pytest
from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage

_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def answer(response) -> tuple[int, str]:
    """The status and the page, with any CSRF token (the only per-visitor part) blanked."""
    return response.status_code, _CSRF_VALUE.sub(r'\1"', response.get_data(as_text=True))


def messages_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(address))
        .order_by(OutboxMessage.id)
    ))


def test_a_new_a_repeat_a_waiting_and_a_bot_registration_get_the_same_page_without_a_code(
    make_event, register
):
    event = make_event(capacity=1)

    new = register(event, name="Oksana Holota", email="oksana@example.org")
    repeat = register(event, name="Someone Else", email="Oksana@Example.org")
    waiting = register(event, name="Taras Melnyk", email="taras@example.org")
    bot = register(event, email="bot@example.org", website="http://spam.example")

    assert answer(new) == answer(repeat) == answer(waiting) == answer(bot)
    status, page = answer(new)
    assert status == 200
    assert "Check your email" in page
    assert "Open the email and follow its link. It opens your ticket" in page
    assert "No email?" in page and "spam" in page
    assert "already registered" not in page
    references = db.session.scalars(select(Registration.reference)).all()
    assert len(references) == 2
    assert not any(code in page for code in references)
    assert "/r/" not in page


def test_a_repeat_registration_sends_the_details_again_and_registers_nobody_twice(
    client, make_event, register, emailed_link
):
    event = make_event(online_url="https://meet.example.org/room")
    register(event, email="oksana@example.org")
    register(event, name="Someone Else", email="OKSANA@example.org")

    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    first, again = messages_to("oksana@example.org")
    code = db.session.scalars(select(Registration.reference)).one()
    assert code in first.body_text and code in again.body_text
    ticket = client.get(emailed_link("oksana@example.org", "r"))
    html = ticket.get_data(as_text=True)
    assert ticket.status_code == 200 and "You are registered" in html and code in html
    assert "https://meet.example.org/room" in html


def test_the_emailed_link_shows_a_waiting_place_and_the_way_to_leave(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=0)
    register(event, email="waiting@example.org")
    ticket = emailed_link("waiting@example.org", "r")

    html = client.get(ticket).get_data(as_text=True)

    assert "number 1 on the waiting list" in html
    assert f'href="{ticket}/cancel"' in html
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status is RegistrationStatus.waitlisted


@pytest.fixture
def registrations_limited(settings):
    settings.update(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per minute")
    return settings


def test_registering_again_and_again_to_have_the_details_resent_is_slowed_down(
    registrations_limited, client, make_event, register
):
    event = make_event()

    codes = [register(event, email="again@example.org").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert len(messages_to("again@example.org")) == 2
