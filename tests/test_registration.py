"""People register for an event on its page: places, the waiting list, codes, emails and bad input."""
import re
import struct

import pytest
from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.events import registration as service
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage


def registration_of(email: str) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.email_index == email_index(email))).one()


def registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_the_event_page_has_the_registration_form_with_its_labels(client, make_event):
    event = make_event(tickets=[{"name": "Free ticket"},
                                {"name": "Supporter ticket", "price_minor": 1000}])
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    for label in ("Name", "Email", "Affiliation", "Ticket"):
        assert re.search(rf"<label[^>]*>{label}</label>", html), label
    assert '<button type="submit" class="button">Register</button>' in html
    assert "Supporter ticket – £10.00" in html
    assert "Free ticket – free" in html
    assert 'href="/privacy"' in html


def test_a_visitor_registers_and_sees_their_code_qr_and_calendar_link(
    client, make_event, register, emailed_link
):
    event = make_event()
    response = register(event, name="Mariia Pastukh", email="mariia@example.org",
                        affiliation="Vsesvit")
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    ticket = emailed_link("mariia@example.org", "r")
    html = client.get(ticket).get_data(as_text=True)
    registration = registration_of("mariia@example.org")
    assert registration.status is RegistrationStatus.confirmed
    assert registration.affiliation == "Vsesvit"
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", registration.reference)
    assert "You are registered" in html and registration.reference in html
    assert "qr.png" in html and "event.ics" in html
    qr = client.get(ticket + "/qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png"
    width, height = struct.unpack(">II", qr.data[16:24])  # PNG header
    assert width == height == 216  # a full QR code (version 1), not a Micro QR phones miss


def test_the_confirmation_email_carries_the_code_and_the_links(app, make_event, register):
    event = make_event(online_url="https://meet.example.org/launch")
    register(event, email="pavlo@example.org")
    message = db.session.scalars(select(OutboxMessage)).one()
    code = registration_of("pavlo@example.org").reference
    assert message.to == "pavlo@example.org" and event.title in message.subject
    assert code in message.body_text and code in message.body_html
    assert "https://meet.example.org/launch" in message.body_text
    assert f"/e/{event.slug}/r/" in message.body_text and "/event.ics" in message.body_text
    assert "/cancel" in message.body_text and "qr.png" in message.body_html


def test_the_online_link_is_never_on_the_public_page(client, make_event, register, emailed_link):
    event = make_event(online_url="https://meet.example.org/secret-room")
    assert "secret-room" not in client.get(f"/e/{event.slug}").get_data(as_text=True)
    answer = register(event, email="online@example.org")
    assert "secret-room" not in answer.get_data(as_text=True)
    ticket = emailed_link("online@example.org", "r")
    assert "secret-room" in client.get(ticket).get_data(as_text=True)
    assert "secret-room" not in client.get(f"/e/{event.slug}").get_data(as_text=True)


def test_one_registration_per_email_however_it_is_written(client, make_event, register):
    event = make_event()
    register(event, email="Ian.Ford+events@gmail.com")
    again = register(event, email="ianford@GMAIL.com")
    assert again.status_code == 200
    assert "Check your email" in again.get_data(as_text=True)
    assert "already registered" not in again.get_data(as_text=True)
    assert registrations() == 1
    resent = db.session.scalars(select(OutboxMessage.to).where(
        OutboxMessage.to_index == email_index("ianford@gmail.com")))
    assert resent.all() == ["Ian.Ford+events@gmail.com"] * 2


def test_when_places_run_out_people_join_the_waiting_list_and_learn_their_place(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=2)
    for email in ("a@example.org", "b@example.org", "c@example.org", "d@example.org"):
        register(event, email=email)
    assert registration_of("c@example.org").status is RegistrationStatus.waitlisted
    third, fourth = emailed_link("c@example.org", "r"), emailed_link("d@example.org", "r")
    assert "number 1 on the waiting list" in client.get(third).get_data(as_text=True)
    assert "number 2 on the waiting list" in client.get(fourth).get_data(as_text=True)
    waiting_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index("d@example.org"))).one()
    assert "number 2 on the waiting list" in waiting_mail.body_text
    assert "All places are taken" in client.get(f"/e/{event.slug}").get_data(as_text=True)


def test_a_full_ticket_sends_people_to_the_waiting_list_while_others_have_room(
    make_event, register
):
    event = make_event(tickets=[{"name": "Free ticket", "capacity": 1},
                                {"name": "Supporter ticket", "price_minor": 1000}])
    free, supporter = event.ticket_types
    register(event, email="one@example.org", ticket_type=free)
    register(event, email="two@example.org", ticket_type=free)
    register(event, email="three@example.org", ticket_type=supporter)
    assert registration_of("two@example.org").status is RegistrationStatus.waitlisted
    assert registration_of("three@example.org").status is RegistrationStatus.confirmed


def test_a_supporter_ticket_pledges_its_price_and_pay_what_you_can_its_amount(
    client, make_event, register
):
    event = make_event(
        tickets=[{"name": "Supporter ticket", "price_minor": 1000},
                 {"name": "Solidarity ticket", "price_minor": 2000, "min_price_minor": 500}],
        appeal={"name": "Step To Victory appeal", "target_minor": 100000},
    )
    supporter, solidarity = event.ticket_types
    register(event, email="fixed@example.org", ticket_type=supporter, amount="1")
    register(event, email="chosen@example.org", ticket_type=solidarity, amount="7.50")
    register(event, email="suggested@example.org", ticket_type=solidarity, amount="")
    assert registration_of("fixed@example.org").amount_minor == 1000
    assert registration_of("chosen@example.org").amount_minor == 750
    assert registration_of("suggested@example.org").amount_minor == 2000
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "£37.50 pledged, of which £0.00 paid" in html
    assert "target £1,000.00" in html


def test_less_than_the_minimum_is_refused_with_a_message(client, make_event, register):
    event = make_event(tickets=[{"name": "Solidarity", "price_minor": 2000, "min_price_minor": 500}])
    response = register(event, amount="4.99")
    assert response.status_code == 400
    assert "Pledge at least £5.00 for this ticket." in response.get_data(as_text=True)
    assert registrations() == 0


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "Enter your name."),
    ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ({"name": "Ada\x00Lovelace"}, "Remove the control characters from this field."),
    ({"email": "not-an-email"}, "Enter an email address like name@example.org."),
    ({"email": "a@example.org\r\nBcc: x@example.org"}, "Remove the control characters"),
    ({"consent": ""}, "Tick the box to agree"),
    ({"ticket": "999999"}, "Choose from the list."),
    ({"ticket": "free"}, "Choose from the list."),
    ({"amount": "lots"}, None),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(
    make_event, register, fields, message
):
    event = make_event(tickets=[{"name": "Solidarity", "price_minor": 2000, "min_price_minor": 500}])
    response = register(event, **fields)
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert registrations() == 0


def test_a_bad_amount_on_a_pay_what_you_can_ticket_gets_a_message(make_event, register):
    event = make_event(tickets=[{"name": "Solidarity", "price_minor": 2000, "min_price_minor": 500}])
    response = register(event, amount="=1+1")
    assert response.status_code == 400
    assert "Enter an amount like 10 or 12.50." in response.get_data(as_text=True)


@pytest.mark.parametrize("amount", ["10000.0001", "99999999999999999999", "1e400"])
def test_a_pledge_above_the_largest_ticket_price_is_refused_and_the_form_kept(
    make_event, register, amount
):
    event = make_event(tickets=[{"name": "Solidarity", "price_minor": 100_000, "currency": "CLF",
                                 "min_price_minor": 10_000}])
    response = register(event, name="Oksana Holota", affiliation="Unite", amount=amount)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Pledge at most 10,000.0000 CLF for this ticket." in html
    assert 'value="Oksana Holota"' in html and 'value="Unite"' in html
    assert f'value="{amount}"' in html
    assert registrations() == 0


def test_a_name_that_looks_like_html_or_a_formula_is_kept_as_plain_text(
    client, make_event, register, emailed_link
):
    event = make_event()
    register(event, name="<script>alert(1)</script>", email="x@example.org")
    html = client.get(emailed_link("x@example.org", "r")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_form_without_its_csrf_token_is_refused(client, make_event):
    event = make_event()
    response = client.post(f"/e/{event.slug}", data={"name": "A", "email": "a@example.org",
                                                     "ticket": str(event.ticket_types[0].id),
                                                     "consent": "y"})
    assert response.status_code == 400
    assert registrations() == 0


def test_a_bot_filling_the_hidden_field_stores_nothing(make_event, register):
    event = make_event()
    response = register(event, website="http://spam.example")
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert registrations() == 0


def test_unknown_events_and_tokens_are_not_found(client, make_event):
    event = make_event()
    assert client.get("/e/no-such-event").status_code == 404
    assert client.get(f"/e/{event.slug}/r/forged-token").status_code == 404
    assert client.get(f"/e/{event.slug}/r/forged-token/event.ics").status_code == 404
    assert client.post(f"/e/{event.slug}/r/forged/cancel").status_code in (400, 404)
    assert client.delete(f"/e/{event.slug}").status_code == 405


def test_a_registration_link_works_only_with_its_own_event(
    client, make_event, register, emailed_link
):
    first, second = make_event(), make_event()
    register(first, email="first-event@example.org")
    ticket = emailed_link("first-event@example.org", "r")
    assert client.get(ticket).status_code == 200
    assert client.get(ticket.replace(first.slug, second.slug)).status_code == 404


def test_drafts_are_hidden_from_the_public(client, make_event):
    from campaign.events.models import EventStatus

    event = make_event(status=EventStatus.draft)
    assert client.get(f"/e/{event.slug}").status_code == 404


def test_someone_who_cancelled_may_register_again(client, make_event, register, emailed_link):
    event = make_event()
    register(event, email="back@example.org")
    ticket = emailed_link("back@example.org", "r")
    client.submit(ticket + "/cancel", page=ticket + "/cancel")
    assert registration_of("back@example.org").status is RegistrationStatus.cancelled
    again = register(event, email="back@example.org")
    assert again.status_code == 200
    assert registration_of("back@example.org").status is RegistrationStatus.confirmed


def test_a_clashing_reference_is_drawn_again(make_event, register, monkeypatch):
    event = make_event()
    register(event, email="first@example.org")
    taken = registration_of("first@example.org").reference
    draws = iter([taken, "ZZZZ2222"])
    monkeypatch.setattr(service, "new_reference", lambda: next(draws))
    assert register(event, email="second@example.org").status_code == 200
    assert registration_of("second@example.org").reference == "ZZZZ2222"


def test_an_erased_registrant_frees_their_place_for_the_waiting_list(runner, make_event, register):
    event = make_event(capacity=1)
    register(event, name="Leaving Person", email="erase-me@example.org")
    register(event, email="next@example.org")
    code = registration_of("erase-me@example.org").reference
    result = runner.invoke(args=["privacy", "erase", "erase-me@example.org", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    erased = db.session.scalars(select(Registration).where(Registration.reference == code)).one()
    assert (erased.name, erased.email, erased.status) == (
        service.ERASED_NAME, None, RegistrationStatus.cancelled)
    assert registration_of("next@example.org").status is RegistrationStatus.confirmed
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index("next@example.org"),
        OutboxMessage.kind == "registration_promoted")).one()


def test_too_many_registrations_from_one_address_are_slowed_down(settings, make_event):
    from campaign import create_app
    from tests.conftest import CampaignClient

    settings.update(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per minute")
    app = create_app(settings)
    app.test_client_class = CampaignClient
    with app.app_context():
        event = make_event()
        client = app.test_client()
        codes = []
        for number in range(3):
            data = {"name": "Quick", "email": f"quick{number}@example.org", "consent": "y",
                    "ticket": str(event.ticket_types[0].id)}
            codes.append(client.submit(f"/e/{event.slug}", data, page=f"/e/{event.slug}").status_code)
        assert codes == [200, 200, 429]
        assert client.get(f"/e/{event.slug}").status_code == 200
        assert registrations() == 2


def test_a_request_too_large_to_read_is_refused_without_storing_anything(client, make_event):
    event = make_event()
    response = client.post(f"/e/{event.slug}", data={
        "form_token": client.form_token(), "name": "x" * (3 * 1024 * 1024), "email": "big@example.org",
        "ticket": str(event.ticket_types[0].id), "consent": "y"})
    assert response.status_code == 413
    assert registrations() == 0


def test_a_door_queue_on_the_venues_wifi_registers_with_the_default_limits(settings, make_event):
    """Walk-ins at the launch meeting register on their phones through one address: thirty in
    five minutes all get a place; a script from that address past the limit gets a 429."""
    from campaign import create_app
    from tests.conftest import CampaignClient

    settings.update(RATELIMIT_ENABLED=True)
    settings.pop("REGISTER_RATE_LIMIT", None)
    app = create_app(settings)
    app.test_client_class = CampaignClient
    with app.app_context():
        event = make_event(capacity=100)
        client = app.test_client()
        answers = []
        for number in range(31):
            data = {"name": f"Walk-in {number}", "email": f"walkin{number}@example.org",
                    "consent": "y", "ticket": str(event.ticket_types[0].id)}
            answers.append(client.submit(f"/e/{event.slug}", data,
                                         page=f"/e/{event.slug}").status_code)
        assert answers == [200] * 30 + [429]
        assert registrations() == 30
