"""Paying online through Stripe Checkout, against a local fake of Stripe's API and webhooks
signed as Stripe signs them: a held place is confirmed only by the verified webhook, an
expired checkout frees the place for the next person waiting, cancelling refunds."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.common.dates import format_datetime
from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.service import message_bodies
from campaign.payments.models import Payment, PaymentState, Refund, RefundState
from tests.fake_stripe import WEBHOOK_SECRET, FakeStripe, signature_header, stripe_event

SUPPORTER = {"name": "Supporter ticket", "price_minor": 2500, "currency": "GBP",
             "payment_methods": "stripe"}


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture
def settings(settings, stripe_fake):
    settings.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    STRIPE_API_BASE=stripe_fake.url)
    return settings


@pytest.fixture
def send_webhook(client):
    def send(event_type: str, session: dict, secret: str = WEBHOOK_SECRET):
        payload = stripe_event(event_type, session)
        return client.post("/payments/stripe/webhook", data=payload,
                           headers={"Stripe-Signature": signature_header(payload, secret),
                                    "Content-Type": "application/json"})
    return send


def registration_of(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalars(
        select(Registration).where(Registration.email_index == email_index(email))).one()


def subjects_to(email: str) -> list[str]:
    return list(db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.to_index == email_index(email))
        .order_by(OutboxMessage.id)))


def bodies_to(email: str) -> str:
    return "\n".join(message_bodies(message)[0] for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(email))))


def pay_button(client, emailed_link, email: str):
    """Open the emailed ticket link and press Pay: the answer sends the person to Stripe."""
    ticket_path = emailed_link(email, "r")
    return client.submit(ticket_path + "/pay", page=ticket_path)


def test_a_paid_ticket_is_confirmed_only_after_the_signed_webhook(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    event = make_event(tickets=[SUPPORTER], capacity=10)
    assert "Paid tickets are paid online by card" in client.get(f"/e/{event.slug}").get_data(
        as_text=True)
    answer = register(event, email="olena@example.org")
    assert answer.status_code == 200
    assert "the email has the link to pay" in answer.get_data(as_text=True)
    assert registration_of("olena@example.org").status is RegistrationStatus.awaiting_payment
    assert subjects_to("olena@example.org") == [f"Pay to keep your place: {event.title}"]

    ticket_page = client.get(emailed_link("olena@example.org", "r")).get_data(as_text=True)
    assert "Pay £25.00 now" in ticket_page

    answer = pay_button(client, emailed_link, "olena@example.org")
    session = stripe_fake.only_session()
    assert answer.status_code == 303 and answer.location == session["url"]
    assert (session["amount_total"], session["currency"]) == (2500, "gbp")
    method, path, _params, headers = next(r for r in stripe_fake.requests if r[0] == "POST")
    assert headers["Idempotency-Key"].startswith("registration-")

    stripe_fake.pay(session["id"])
    back = client.get(emailed_link("olena@example.org", "r") + "/paid")
    assert "waiting for the payment provider" in back.get_data(as_text=True)
    assert registration_of("olena@example.org").status is RegistrationStatus.awaiting_payment

    assert send_webhook("checkout.session.completed", session).status_code == 200
    registration = registration_of("olena@example.org")
    assert registration.status is RegistrationStatus.confirmed
    assert registration.paid_at is not None
    assert subjects_to("olena@example.org")[-1] == f"You are registered: {event.title}"

    assert send_webhook("checkout.session.completed", session).status_code == 200
    assert len(subjects_to("olena@example.org")) == 2
    payment = db.session.scalars(select(Payment)).one()
    assert payment.state is PaymentState.paid and payment.provider_payment_id.startswith("pi_")


def test_a_forged_webhook_changes_nothing(client, make_event, register, emailed_link,
                                          stripe_fake, send_webhook):
    event = make_event(tickets=[SUPPORTER])
    register(event, email="forger@example.org")
    pay_button(client, emailed_link, "forger@example.org")
    session = stripe_fake.pay(stripe_fake.only_session()["id"])
    payload = stripe_event("checkout.session.completed", session)

    assert send_webhook("checkout.session.completed", session,
                        secret="whsec_guessed").status_code == 400
    assert client.post("/payments/stripe/webhook", data=payload).status_code == 400
    assert client.post("/payments/stripe/webhook", data=payload, headers={
        "Stripe-Signature": "t=1,v1=00"}).status_code == 400
    old = signature_header(payload, at=int(utcnow().timestamp()) - 3600)
    assert client.post("/payments/stripe/webhook", data=payload,
                       headers={"Stripe-Signature": old}).status_code == 400
    assert client.post("/payments/stripe/webhook", data=b"\x00<script>",
                       headers={"Stripe-Signature": signature_header(b"\x00<script>")}
                       ).status_code == 400
    assert client.get("/payments/stripe/webhook").status_code == 405
    unknown = dict(session, id="cs_test_unknown")
    assert send_webhook("checkout.session.completed", unknown).status_code == 200
    assert send_webhook("checkout.session.completed", {"object": "checkout.session"}
                        ).status_code == 200

    registration = registration_of("forger@example.org")
    assert registration.status is RegistrationStatus.awaiting_payment
    assert registration.paid_at is None
    assert db.session.scalars(select(Payment)).one().state is PaymentState.open


def test_the_amount_is_the_servers_not_the_browsers(client, make_event, register, emailed_link,
                                                    stripe_fake):
    pay_what_you_can = dict(SUPPORTER, min_price_minor=500)
    event = make_event(tickets=[pay_what_you_can])
    assert register(event, email="low@example.org", amount="4.99").status_code == 400
    register(event, email="pwyc@example.org", amount="12.50")
    ticket_path = emailed_link("pwyc@example.org", "r")
    client.submit(ticket_path + "/pay", {"amount": "0.01", "amount_minor": "1"}, page=ticket_path)
    assert stripe_fake.only_session()["amount_total"] == 1250


def test_pressing_pay_twice_opens_one_checkout(client, make_event, register, emailed_link,
                                               stripe_fake):
    event = make_event(tickets=[SUPPORTER])
    register(event, email="twice@example.org")
    first = pay_button(client, emailed_link, "twice@example.org")
    second = pay_button(client, emailed_link, "twice@example.org")
    assert first.location == second.location
    assert len(stripe_fake.sessions) == 1


def test_an_expired_session_frees_the_place_for_the_next_person_waiting(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    event = make_event(tickets=[SUPPORTER], capacity=1)
    register(event, email="first@example.org")
    register(event, email="waiting@example.org")
    assert registration_of("waiting@example.org").status is RegistrationStatus.waitlisted
    assert subjects_to("waiting@example.org") == [f"On the waiting list: {event.title}"]
    pay_button(client, emailed_link, "first@example.org")
    session = stripe_fake.let_expire(stripe_fake.only_session()["id"])

    assert send_webhook("checkout.session.expired", session).status_code == 200
    assert registration_of("first@example.org").status is RegistrationStatus.cancelled
    assert subjects_to("first@example.org")[-1] == f"Your place was released: {event.title}"
    assert registration_of("waiting@example.org").status is RegistrationStatus.awaiting_payment
    assert subjects_to("waiting@example.org")[-1] == f"Pay to keep your place: {event.title}"
    assert "Pay £25.00 now" in client.get(
        emailed_link("waiting@example.org", "r")).get_data(as_text=True)


def test_a_hold_past_its_time_frees_the_place_without_any_webhook(make_event, register):
    event = make_event(tickets=[SUPPORTER], capacity=1)
    register(event, email="slow@example.org")
    registration_of("slow@example.org").hold_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    register(event, email="next@example.org")
    assert registration_of("slow@example.org").status is RegistrationStatus.cancelled
    assert registration_of("next@example.org").status is RegistrationStatus.awaiting_payment


def test_the_success_page_alone_never_confirms(client, make_event, register, emailed_link,
                                               stripe_fake):
    event = make_event(tickets=[SUPPORTER])
    register(event, email="hopeful@example.org")
    pay_button(client, emailed_link, "hopeful@example.org")
    for _ in range(3):
        client.get(emailed_link("hopeful@example.org", "r") + "/paid")
    assert registration_of("hopeful@example.org").status is RegistrationStatus.awaiting_payment


def paid_registration(client, register, emailed_link, stripe_fake, send_webhook, event, email):
    register(event, email=email)
    pay_button(client, emailed_link, email)
    session_id = db.session.scalars(select(Payment.provider_session_id).where(
        Payment.registration_id == registration_of(email).id)).one()
    assert send_webhook("checkout.session.completed",
                        stripe_fake.pay(session_id)).status_code == 200
    assert registration_of(email).is_confirmed
    return registration_of(email)


def test_a_person_cancelling_a_paid_place_is_refunded_and_told(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    event = make_event(tickets=[SUPPORTER])
    paid_registration(client, register, emailed_link, stripe_fake, send_webhook, event,
                      "leaving@example.org")
    cancel_path = emailed_link("leaving@example.org", "r") + "/cancel"
    assert client.submit(cancel_path, page=cancel_path).status_code == 200

    assert [(r["amount"], r["status"]) for r in stripe_fake.refunds] == [(2500, "succeeded")]
    refund = db.session.scalars(select(Refund)).one()
    assert refund.state is RefundState.succeeded and refund.provider_refund_id.startswith("re_")
    assert db.session.scalars(select(Payment)).one().state is PaymentState.refunded
    assert "We have refunded £25.00 to the card you paid with" in bodies_to("leaving@example.org")


def test_a_cancelled_event_refunds_everyone_who_paid_and_a_failed_refund_can_be_retried(
        client, make_event, register, emailed_link, stripe_fake, send_webhook, logged_in):
    event = make_event(tickets=[SUPPORTER, {"name": "At the door", "price_minor": 1000}])
    emails = [f"payer{i}@example.org" for i in range(3)]
    for email in emails:
        paid_registration(client, register, emailed_link, stripe_fake, send_webhook, event, email)
    register(event, email="door@example.org", ticket_type=event.ticket_types[1])
    failing = registration_of("payer2@example.org")
    stripe_fake.failing_refunds.add(db.session.scalars(select(Payment.provider_payment_id).where(
        Payment.registration_id == failing.id)).one())

    logged_in()
    client.submit(f"/dashboard/events/{event.id}/cancel", page=f"/dashboard/events/{event.id}/cancel")
    assert sorted(r["amount"] for r in stripe_fake.refunds) == [2500, 2500]
    assert "We have refunded £25.00" in bodies_to("payer0@example.org")
    assert "We could not refund your £25.00 yet" in bodies_to("payer2@example.org")
    assert "refund" not in bodies_to("door@example.org")

    page = client.get(f"/dashboard/events/{event.id}/payments").get_data(as_text=True)
    assert "The bank declined the refund." in page and "Try the refund again" in page
    stripe_fake.failing_refunds.clear()
    failed = db.session.scalars(select(Payment).where(Payment.registration_id == failing.id)).one()
    answer = client.submit(f"/dashboard/payments/{failed.id}/retry-refund",
                           page=f"/dashboard/events/{event.id}/payments")
    assert answer.status_code == 303
    db.session.expire_all()
    assert failed.state is PaymentState.refunded
    assert len(stripe_fake.refunds) == 3


def test_reconcile_repairs_a_missed_webhook(client, runner, make_event, register, emailed_link,
                                            stripe_fake):
    event = make_event(tickets=[SUPPORTER], capacity=5)
    register(event, email="missed@example.org")
    register(event, email="abandoned@example.org")
    pay_button(client, emailed_link, "missed@example.org")
    pay_button(client, emailed_link, "abandoned@example.org")
    missed, abandoned = (db.session.scalars(select(Payment.provider_session_id).where(
        Payment.registration_id == registration_of(email).id)).one()
        for email in ("missed@example.org", "abandoned@example.org"))
    stripe_fake.pay(missed)
    stripe_fake.let_expire(abandoned)

    report = runner.invoke(args=["payments", "reconcile", "--dry-run"])
    assert "paid at Stripe, recorded as open (a missed webhook) (not repaired)" in report.output
    assert registration_of("missed@example.org").is_awaiting_payment

    report = runner.invoke(args=["payments", "reconcile"])
    assert report.exit_code == 0, report.output
    assert "2 differences found." in report.output
    assert registration_of("missed@example.org").is_confirmed
    assert registration_of("abandoned@example.org").is_cancelled
    assert subjects_to("missed@example.org")[-1] == f"You are registered: {event.title}"
    assert "0 differences found." in runner.invoke(args=["payments", "reconcile"]).output


def test_no_card_data_reaches_the_app(client, make_event, register, emailed_link, stripe_fake,
                                      send_webhook):
    """Stripe's page takes the card; what the app sends and keeps are amounts and references."""
    event = make_event(tickets=[SUPPORTER])
    register(event, email="holder@example.org")
    pay_button(client, emailed_link, "holder@example.org")
    session = stripe_fake.pay(stripe_fake.only_session()["id"])
    session["payment_method_details"] = {"card": {"last4": "4242", "brand": "visa"}}
    send_webhook("checkout.session.completed", session)
    sent = [params for method, _path, params, _headers in stripe_fake.requests if method == "POST"]
    assert sent and not any({"card", "payment_method_data", "source"} & set(p) for p in sent)
    columns = {column.name for column in Payment.__table__.columns}
    assert not columns & {"card", "card_number", "last4", "cvc"}
    kept = [str(tuple(row)) for table in db.metadata.sorted_tables
            for row in db.session.execute(select(table))]
    assert not any("4242" in row or "visa" in row for row in kept)


def test_without_stripe_keys_tickets_are_paid_at_the_door(app, make_event, register):
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
    event = make_event(tickets=[SUPPORTER])
    register(event, email="door-only@example.org")
    registration = registration_of("door-only@example.org")
    assert registration.is_confirmed and registration.payment_method == "pay_later"


def test_a_payment_too_late_for_a_place_is_told_in_the_language_the_person_registered_in(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    """Stripe's webhook comes with no Ukrainian; the email goes in the registrant's language."""
    from campaign.events.translations import save_event_translation

    event = make_event(tickets=[SUPPORTER], capacity=1)
    save_event_translation(event, "uk", "Презентація в парламенті", "Опис зустрічі.")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    register(event, email="pizno@example.org")
    pay_button(client, emailed_link, "pizno@example.org")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    registration_of("pizno@example.org").hold_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    register(event, email="prompt@example.org")

    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))
    assert [r["amount"] for r in stripe_fake.refunds] == [2500]
    assert subjects_to("pizno@example.org")[-1] == "Місць не лишилося: Презентація в парламенті"
    told = bodies_to("pizno@example.org")
    assert "Ваш платіж за Презентація в парламенті надійшов після того" in told
    assert "Ми повернули" in told and "We have refunded" not in told


APPEAL = {"name": "Miners' appeal", "description": "Food and medicine for **miners' families**.",
          "target_minor": 100_000, "currency": "GBP", "slug": "miners",
          "gift_min_minor": 500, "gift_max_minor": 50_000, "gift_suggestions": "1000,2500"}


def test_a_supporter_gives_to_the_appeal_without_a_ticket(client, make_event, stripe_fake,
                                                           send_webhook):
    make_event(appeal=APPEAL)
    page = client.get("/a/miners").get_data(as_text=True)
    assert "miners' families</strong>" in page and "The target is £1,000.00." in page
    assert 'value="10.00"' in page and 'value="25.00"' in page

    gift = {"name": "Mykola", "email": "mykola@example.org", "consent": "y"}
    for amount in ("4.99", "500.01", "", "=1+1", "10\x00"):
        answer = client.submit("/a/miners", dict(gift, amount=amount), page="/a/miners")
        assert answer.status_code == 400, amount
    assert not stripe_fake.sessions

    answer = client.submit("/a/miners", dict(gift, amount="25.00"), page="/a/miners")
    session = stripe_fake.only_session()
    assert answer.status_code == 303 and answer.location == session["url"]
    assert session["amount_total"] == 2500
    assert "Thank you for giving" in client.get("/a/miners/thanks").get_data(as_text=True)
    assert subjects_to("mykola@example.org") == []

    send_webhook("checkout.session.completed", stripe_fake.pay(session["id"]))
    assert subjects_to("mykola@example.org") == ["Thank you for your gift to Miners' appeal"]
    assert "we have received your gift of £25.00" in bodies_to("mykola@example.org")
    assert "£25.00 online, £0.00 at the door" in client.get("/a/miners").get_data(as_text=True)


def test_a_giver_on_the_ukrainian_page_gets_the_receipt_in_ukrainian(client, make_event,
                                                                     stripe_fake, send_webhook):
    make_event(appeal=APPEAL)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    client.submit("/a/miners", {"name": "Микола", "email": "mykola@example.org", "consent": "y",
                                "amount": "25.00"}, page="/a/miners")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))
    assert subjects_to("mykola@example.org") == ["Дякуємо за вашу пожертву на Miners' appeal"]
    [receipt] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index("mykola@example.org")))
    text, html = message_bodies(receipt)
    assert "Дякуємо: ми отримали вашу пожертву" in text and "Квитанція" in text
    assert '<html lang="uk">' in html and "Thank you" not in text


def test_the_receipt_and_the_payments_page_give_the_time_in_the_one_style(
        client, make_event, stripe_fake, send_webhook, logged_in):
    event = make_event(appeal=APPEAL)
    client.submit("/a/miners", {"name": "Mykola", "email": "mykola@example.org", "consent": "y",
                                "amount": "25.00"}, page="/a/miners")
    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))
    payment = db.session.scalars(select(Payment)).one()

    [receipt] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index("mykola@example.org")))
    for body in message_bodies(receipt):
        assert f"Received: {format_datetime(payment.paid_at)}" in body
        assert body.count(" UTC") == 1
    logged_in()
    page = client.get(f"/dashboard/appeals/{event.appeal_id}/payments").get_data(as_text=True)
    assert f">{format_datetime(payment.created_at)}</td>" in page
    assert page.count(" UTC") == 1


def test_the_appeal_keeps_money_received_apart_from_pledges(
        client, make_event, register, emailed_link, stripe_fake, send_webhook, logged_in):
    event = make_event(appeal=APPEAL, tickets=[
        SUPPORTER, {"name": "At the door", "price_minor": 1000}])
    paid_registration(client, register, emailed_link, stripe_fake, send_webhook, event,
                      "online@example.org")
    register(event, email="paid-door@example.org", ticket_type=event.ticket_types[1])
    register(event, email="pledge@example.org", ticket_type=event.ticket_types[1])
    registration_of("paid-door@example.org").paid_at = utcnow()
    db.session.commit()
    page = client.get("/a/miners").get_data(as_text=True)
    assert "£35.00:" in page and "£25.00 online, £10.00 at the door" in page
    assert "Pledged, not yet paid (GBP)</dt>\n        <dd>£10.00" in page

    logged_in()
    dashboard = client.get(f"/dashboard/appeals/{event.appeal_id}/payments").get_data(as_text=True)
    assert "Oksana Holota (" in dashboard and "£25.00 online, £10.00 at the door" in dashboard
    export = client.get(f"/dashboard/events/{event.id}/payments.csv")
    lines = export.get_data(as_text=True).splitlines()
    assert lines[0].startswith("created_at,kind,registration,name,amount,currency,method,state")
    assert len(lines) == 2 and ",ticket," in lines[1] and ",25.00,GBP,stripe,paid," in lines[1]


def test_an_organizer_opens_the_giving_page(client, make_event, logged_in):
    event = make_event(appeal={"name": "Miners' appeal", "currency": "GBP"})
    assert client.get("/a/miners").status_code == 404
    logged_in()
    page = f"/dashboard/appeals/{event.appeal_id}/giving"
    bad = client.submit(page, {"slug": "Miners!", "gift_min": "5", "suggestions": "10"}, page=page)
    assert bad.status_code == 400
    bad = client.submit(page, {"slug": "miners", "gift_min": "5", "gift_max": "50",
                               "suggestions": "10 100"}, page=page)
    assert bad.status_code == 400 and "Each suggested gift must be between" in bad.get_data(
        as_text=True)
    good = client.submit(page, {"slug": "miners", "gift_min": "5", "gift_max": "50",
                                "suggestions": "10 25"}, page=page)
    assert good.status_code == 303
    assert 'value="25.00"' in client.get("/a/miners").get_data(as_text=True)


def test_bad_input_to_the_payment_pages_is_answered_plainly(client, make_event, register,
                                                            emailed_link):
    event = make_event(tickets=[SUPPORTER])
    register(event, email="plain@example.org")
    ticket_path = emailed_link("plain@example.org", "r")
    assert client.submit(f"/e/{event.slug}/r/forged-token/pay", page=ticket_path).status_code == 404
    assert client.get(ticket_path + "/pay").status_code == 405
    assert client.post(ticket_path + "/pay").status_code == 400
    registration_of("plain@example.org").hold_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = client.submit(ticket_path + "/pay", page=ticket_path)
    assert late.status_code == 409 and "no longer held" in late.get_data(as_text=True)
    assert client.get("/a/nothing-here").status_code == 404


def test_a_givers_data_is_exported_and_erased_on_request(client, make_event, stripe_fake,
                                                         send_webhook):
    from campaign.privacy.duties import erase_person, export_person

    make_event(appeal=APPEAL)
    client.submit("/a/miners", {"name": "Mykola", "email": "mykola@example.org", "consent": "y",
                                "amount": "10"}, page="/a/miners")
    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))

    exported = export_person("Mykola@example.org")
    assert [(g["name"], g["email"], g["amount_minor"], g["state"]) for g in exported["gifts"]] == [
        ("Mykola", "mykola@example.org", 1000, "paid")]
    erase_person("mykola@example.org")
    db.session.expire_all()
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.name, payment.email, payment.email_index) == ("Erased", None, None)
    assert payment.amount_minor == 1000 and payment.provider_payment_id.startswith("pi_")


def test_the_ticket_is_emailed_even_after_the_daily_limit_of_visitors_mail(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    """Stripe's verified webhook is not a visitor: the ticket it confirms always goes."""
    event = make_event(tickets=[SUPPORTER])
    for _ in range(4):
        register(event, email="eager@example.org")
    assert len(subjects_to("eager@example.org")) == 3
    pay_button(client, emailed_link, "eager@example.org")
    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))
    assert subjects_to("eager@example.org")[-1] == f"You are registered: {event.title}"


def test_an_organizer_chooses_how_each_ticket_is_paid(app, client, make_event, logged_in):
    from campaign.events.models import TicketType

    event = make_event(tickets=[])
    logged_in()
    page = f"/dashboard/events/{event.id}/tickets"
    assert "Any of these: the registrant chooses" in client.get(page).get_data(as_text=True)
    ticket = {"name": "Supporter", "price": "25", "currency": "GBP"}
    assert client.submit(page, dict(ticket, payment_methods="stripe"), page=page).status_code == 303
    assert client.submit(page, dict(ticket, payment_methods="cheque"), page=page).status_code == 400
    app.config.update(STRIPE_SECRET_KEY="")
    assert client.submit(page, dict(ticket, payment_methods="stripe"), page=page).status_code == 400
    assert [t.payment_methods for t in db.session.scalars(select(TicketType))] == ["stripe"]


def test_a_registrant_chooses_to_pay_at_the_door_or_online(client, make_event, register,
                                                           logged_in):
    event = make_event(tickets=[dict(SUPPORTER, payment_methods="pay_later,stripe")])
    form = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "How you pay for a paid ticket" in form
    register(event, email="door@example.org", payment="pay_later")
    register(event, email="card@example.org", payment="stripe")
    assert register(event, email="odd@example.org", payment="bitcoin").status_code == 400
    assert registration_of("door@example.org").is_confirmed
    assert registration_of("card@example.org").is_awaiting_payment

    logged_in()
    table = client.get(f"/dashboard/events/{event.id}/registrations").get_data(as_text=True)
    assert "Place held for payment online, until" in table
    assert table.count("Mark paid") == 1
    held = client.get(f"/dashboard/events/{event.id}/registrations?status=awaiting_payment")
    assert "card@example.org" in held.get_data(as_text=True)
    assert "door@example.org" not in held.get_data(as_text=True)


def test_a_payment_arriving_after_the_place_has_gone_is_refunded(
        client, make_event, register, emailed_link, stripe_fake, send_webhook):
    event = make_event(tickets=[SUPPORTER], capacity=1)
    register(event, email="late@example.org")
    pay_button(client, emailed_link, "late@example.org")
    registration_of("late@example.org").hold_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    register(event, email="prompt@example.org")
    assert registration_of("late@example.org").is_cancelled

    send_webhook("checkout.session.completed", stripe_fake.pay(stripe_fake.only_session()["id"]))
    assert registration_of("late@example.org").is_cancelled
    assert registration_of("prompt@example.org").is_awaiting_payment
    assert [r["amount"] for r in stripe_fake.refunds] == [2500]
    assert subjects_to("late@example.org")[-1] == f"No place left: {event.title}"
    assert "We have refunded £25.00" in bodies_to("late@example.org")
