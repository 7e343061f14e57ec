"""Updates by email, delivered over real SMTP (aiosmtpd): opted-in signatories get them and
others do not, each message is personal with a one-click unsubscribe, a bounce stops further
sends, a stopped send stops, reminders go once; the `updates` and `events` commands."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.supporters.models import SubscriptionState, Supporter
from campaign.updates import service
from campaign.updates.models import RegistrantGroup, UpdateStatus
from campaign.updates.reminders import remind_due


def received_by(server, address):
    return [m for m in server.received if m["To"] == address]


def update_for(target, subject="The government has responded", body="Read **the answer**.",
               **options):
    return service.create_update(service.parse_audience(target), subject, body, **options)


def send_now(item):
    service.send_update(item)
    return send_due()


@pytest.fixture
def signed_statement(make_statement, sign, smtp_server):
    """A statement signed by one person who asked for updates and one who did not."""
    statement = make_statement()
    sign(statement, name="Olena Kovalenko", email="olena@example.org", email_updates="y")
    sign(statement, name="Quiet Person", email="quiet@example.org")
    send_due()  # the signing receipts
    smtp_server.mailbox.received.clear()
    return statement


def test_opted_in_signatories_receive_an_update_and_others_do_not(signed_statement, smtp_server):
    send_now(update_for(f"statement:{signed_statement.slug}"))
    [message] = smtp_server.received
    assert message["To"] == "olena@example.org"
    assert message["Subject"] == "The government has responded"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Dear Olena Kovalenko," in text
    assert "<strong>the answer</strong>" in html
    assert f"/s/{signed_statement.slug}/withdraw/" in text  # the link to their own signature
    assert "/unsubscribe/" in text


def test_everyone_in_a_batch_gets_their_own_name_and_links(make_statement, sign, smtp_server):
    statement = make_statement()
    sign(statement, name='Anna "Ann" <Bee> & Co', email="anna@example.org", email_updates="y")
    sign(statement, name="Bohdan Shevchenko", email="bohdan@example.org", email_updates="y")
    send_due()  # the signing receipts
    smtp_server.mailbox.received.clear()
    send_now(update_for(f"statement:{statement.slug}"))
    anna, bohdan = (received_by(smtp_server, address)[0]
                    for address in ("anna@example.org", "bohdan@example.org"))
    links = {}
    for message, name, html_name in (
            (anna, 'Anna "Ann" <Bee> & Co', "Anna &#34;Ann&#34; &lt;Bee&gt; &amp; Co"),
            (bohdan, "Bohdan Shevchenko", "Bohdan Shevchenko")):
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f"Dear {name}," in text
        assert f"Dear {html_name}," in html
        unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
        assert unsubscribe in text and unsubscribe in html
        [withdraw] = [word for word in text.split() if "/withdraw/" in word]
        assert f'href="{withdraw}"' in html
        links[message["To"]] = (unsubscribe, withdraw)
    assert links["anna@example.org"][0] != links["bohdan@example.org"][0]
    assert links["anna@example.org"][1] != links["bohdan@example.org"][1]


def test_each_update_carries_a_one_click_unsubscribe_header(
        signed_statement, smtp_server, client, app):
    app.config["BASE_URL"] = "https://campaign.example"
    send_now(update_for(f"statement:{signed_statement.slug}"))
    [message] = smtp_server.received
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("https://campaign.example/unsubscribe/")
    # What a mail program does with it (RFC 8058): a bare POST, no cookie, no form token.
    response = client.post(url.removeprefix("https://campaign.example"),
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    smtp_server.mailbox.received.clear()
    send_now(update_for(f"statement:{signed_statement.slug}", subject="Second update"))
    assert smtp_server.received == []
    assert send_now(update_for(f"campaign:{signed_statement.campaign.slug}")).sent == 0


def test_a_permanent_refusal_marks_the_address_bounced_and_no_update_follows(
        signed_statement, smtp_server):
    smtp_server.mailbox.refused.add("olena@example.org")
    report = send_now(update_for(f"statement:{signed_statement.slug}"))
    assert report.failed == 1
    supporter = db.session.scalars(select(Supporter).where(
        Supporter.email_index == email_index("olena@example.org"))).one()
    db.session.refresh(supporter)
    assert supporter.state is SubscriptionState.bounced
    smtp_server.mailbox.refused.clear()
    item = update_for(f"statement:{signed_statement.slug}", subject="After the bounce")
    send_now(item)
    assert smtp_server.received == []
    assert service.progress_of(item).audience == 0


def test_a_stopped_send_stops(make_statement, make_signature, smtp_server, app):
    statement = make_statement()
    for number in range(12):
        email = f"person{number}@example.org"
        make_signature(statement, email=email)
        db.session.add(Supporter(campaign_id=statement.campaign_id, email=email,
                                 state=SubscriptionState.subscribed))
    db.session.commit()
    app.config["MAIL_BATCH_SIZE"] = 5
    item = update_for(f"statement:{statement.slug}")
    service.send_update(item)
    service.start_due_updates()
    service.hand_over(5)  # the first batch is in the outbox ...
    service.stop_update(item)  # ... and the organizer stops it before it is delivered
    send_due()
    assert smtp_server.received == []
    progress = service.progress_of(item)
    assert (progress.audience, progress.sent, progress.queued, progress.skipped) == (12, 0, 0, 12)
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert item.status is UpdateStatus.stopped


def test_stopping_halfway_keeps_what_went_and_sends_nothing_more(
        make_statement, make_signature, smtp_server, app):
    statement = make_statement()
    for number in range(10):
        email = f"half{number}@example.org"
        make_signature(statement, email=email)
        db.session.add(Supporter(campaign_id=statement.campaign_id, email=email,
                                 state=SubscriptionState.subscribed))
    db.session.commit()
    app.config["MAIL_BATCH_SIZE"] = 4
    item = update_for(f"statement:{statement.slug}")
    service.send_update(item)
    original = smtp_server.mailbox.handle_DATA

    async def stop_after_the_fifth(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(smtp_server.received) == 5:
            with app.app_context():
                service.stop_update(service.get_update(item.id))
        return answer

    smtp_server.mailbox.handle_DATA = stop_after_the_fifth
    send_due()
    sent = len(smtp_server.received)
    assert 5 <= sent <= 6  # the message in hand when the stop came may still go
    send_due()
    assert len(smtp_server.received) == sent
    progress = service.progress_of(service.get_update(item.id))
    assert progress.sent == sent and progress.skipped == 10 - sent


def test_a_scheduled_update_waits_for_its_time(signed_statement, smtp_server):
    item = update_for(f"statement:{signed_statement.slug}")
    service.send_update(item, utcnow() + timedelta(hours=1))
    send_due()
    assert smtp_server.received == []
    assert item.status is UpdateStatus.scheduled
    item.send_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    send_due()
    assert [m["To"] for m in smtp_server.received] == ["olena@example.org"]
    db.session.refresh(item)
    assert item.status is UpdateStatus.sent


def test_the_audience_narrows_by_country_and_source(
        make_statement, make_signature, smtp_server):
    statement = make_statement()
    for email, country, source in (("ua@example.org", "UA", "unite"),
                                   ("gb@example.org", "GB", "unite"),
                                   ("other@example.org", "UA", "")):
        make_signature(statement, email=email, country=country, source=source)
        db.session.add(Supporter(campaign_id=statement.campaign_id, email=email,
                                 state=SubscriptionState.subscribed))
    db.session.commit()
    send_now(update_for(f"statement:{statement.slug}", country="UA", source="unite"))
    assert [m["To"] for m in smtp_server.received] == ["ua@example.org"]
    smtp_server.mailbox.received.clear()
    send_now(update_for(f"campaign:{statement.campaign.slug}", country="UA"))
    assert sorted(m["To"] for m in smtp_server.received) == [
        "other@example.org", "ua@example.org"]


def test_a_message_to_an_events_registrants_reaches_the_chosen_group_subscribed_or_not(
        make_event, register, smtp_server):
    event = make_event(tickets=({"name": "Free", "capacity": 1},))
    register(event, name="First In", email="first@example.org")
    register(event, name="Waiting One", email="waiting@example.org")
    send_due()
    smtp_server.mailbox.received.clear()
    send_now(update_for(f"event:{event.slug}", subject="Room change",
                        registrant_group=RegistrantGroup.waiting))
    [message] = smtp_server.received
    assert message["To"] == "waiting@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Waiting One," in text and f"/e/{event.slug}/r/" in text
    smtp_server.mailbox.received.clear()
    send_now(update_for(f"event:{event.slug}", subject="To everyone"))
    assert sorted(m["To"] for m in smtp_server.received) == [
        "first@example.org", "waiting@example.org"]


def test_reminders_go_to_confirmed_registrants_once(make_event, register, smtp_server, runner):
    event = make_event(starts_at=utcnow() + timedelta(hours=20), ends_at=None,
                       what_to_bring="Photo ID for Parliament's security",
                       tickets=({"name": "Free", "capacity": 1},))
    later = make_event(starts_at=utcnow() + timedelta(days=3), campaign=event.campaign)
    register(event, name="Comes Along", email="comes@example.org")
    register(event, name="On The List", email="list@example.org")
    register(later, email="later@example.org")
    send_due()
    smtp_server.mailbox.received.clear()
    for _ in range(3):  # cron, every minute
        assert runner.invoke(args=["events", "remind"]).exit_code == 0
        send_due()
    [reminder] = smtp_server.received
    assert reminder["To"] == "comes@example.org"
    assert reminder["Subject"] == f"Reminder: {event.title}"
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "Photo ID for Parliament's security" in text
    assert f"/e/{event.slug}/r/" in text


def test_an_event_can_be_reminded_earlier_than_the_default(make_event, register, smtp_server):
    event = make_event(starts_at=utcnow() + timedelta(hours=40), ends_at=None, reminder_hours=48)
    register(event, email="early@example.org")
    assert [e.id for e in remind_due()] == [event.id]
    assert remind_due() == []


def test_the_commands_send_an_update_and_report_its_status(
        signed_statement, smtp_server, runner, tmp_path):
    body = tmp_path / "update.md"
    body.write_text("We delivered the statement **today**.", encoding="utf-8")
    result = runner.invoke(args=[
        "updates", "send", "--audience", f"statement:{signed_statement.slug}",
        "--subject", "Delivered", "--body", str(body)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert [m["To"] for m in smtp_server.received] == ["olena@example.org"]
    status = runner.invoke(args=["updates", "status"])
    assert status.exit_code == 0
    row = status.output.splitlines()[1].split("\t")
    assert row[1:6] == ["sent", "1", "0", "1", "0"] and row[-1] == "Delivered"
    later = runner.invoke(args=[
        "updates", "send", "--audience", "campaign", "--subject", "Later", "--body", str(body),
        "--at", "2099-01-01T09:00"])
    assert later.exit_code == 0 and "2099-01-01 09:00" in later.output


def test_the_send_command_refuses_bad_input_with_a_message(app, runner, tmp_path, make_statement):
    make_statement()
    body = tmp_path / "update.md"
    body.write_text("Text", encoding="utf-8")
    for audience, subject in (("statement:nope", "Hi"), ("nonsense", "Hi"),
                              ("campaign", ""), ("campaign", "x" * 400)):
        result = runner.invoke(args=["updates", "send", "--audience", audience,
                                     "--subject", subject, "--body", str(body)])
        assert result.exit_code == 2 and "Error" in result.output


def test_a_registrant_erased_after_queuing_gets_nothing(make_event, register, smtp_server):
    event = make_event()
    register(event, email="gone@example.org")
    send_due()
    smtp_server.mailbox.received.clear()
    item = update_for(f"event:{event.slug}")
    service.send_update(item)
    service.start_due_updates()
    registration = db.session.scalars(select(Registration)).one()
    registration.email = None
    registration.status = RegistrationStatus.cancelled
    db.session.commit()
    send_due()
    assert smtp_server.received == []
    assert service.progress_of(item).skipped == 1


def test_three_senders_at_once_send_each_recipient_one_message(
        make_statement, make_signature, smtp_server, app):
    import threading

    statement = make_statement()
    for number in range(40):
        email = f"many{number}@example.org"
        make_signature(statement, email=email)
        db.session.add(Supporter(campaign_id=statement.campaign_id, email=email,
                                 state=SubscriptionState.subscribed))
    db.session.commit()
    app.config["MAIL_BATCH_SIZE"] = 4
    smtp_server.mailbox.delay = 0.005
    service.send_update(update_for(f"statement:{statement.slug}"))
    start = threading.Barrier(3)
    errors = []

    def sender():
        with app.app_context():
            start.wait()
            try:
                send_due()
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    addresses = [m["To"] for m in smtp_server.received]
    assert len(addresses) == 40 and len(set(addresses)) == 40


def test_a_spam_complaint_stops_every_further_update(signed_statement, smtp_server, runner):
    result = runner.invoke(args=["updates", "complaint", "Olena@Example.org"])
    assert result.exit_code == 0 and "1 supporter record" in result.output
    send_now(update_for(f"statement:{signed_statement.slug}"))
    send_now(update_for(f"campaign:{signed_statement.campaign.slug}"))
    assert smtp_server.received == []
