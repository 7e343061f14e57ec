"""Supporters: everyone who signs or registers is one record per campaign and address, and
only those who ask for updates (a separate unticked box, or /subscribe confirmed by email)
are subscribed; unsubscribing is one click; privacy requests cover the records."""
import re

from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.service import message_bodies
from campaign.privacy.duties import erase_person, export_person
from campaign.signatures.emails import tell_new_signatories
from campaign.supporters.models import SubscriptionSource, SubscriptionState, Supporter
from campaign.supporters.service import unsubscribe_url


def supporters(email):
    db.session.expire_all()
    return list(db.session.scalars(
        select(Supporter).where(Supporter.email_index == email_index(email))))


def link_in_newest_mail_to(email, path_part):
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(email))
        .order_by(OutboxMessage.id.desc())).first()
    text = message_bodies(message)[0]
    return re.search(rf"https?://[^/\s]+(\S*{path_part}\S+)", text).group(1)


def test_the_signing_form_offers_updates_in_a_separate_unticked_box(client, make_statement):
    statement = make_statement()
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="email_updates"[^>]*>', html).group(0)
    assert "checked" not in box
    assert "Email me updates about this campaign" in html
    assert "one-click unsubscribe" in html


def test_a_signatory_who_ticks_the_box_is_subscribed_with_the_consent_version_and_time(
        app, make_statement, sign):
    statement = make_statement()
    sign(statement, email="Olena@Example.org", email_updates="y")
    [supporter] = supporters("olena@example.org")
    assert supporter.state is SubscriptionState.subscribed
    assert supporter.subscribed_via is SubscriptionSource.signing
    assert supporter.consent_version == app.config["UPDATES_CONSENT_VERSION"]
    assert supporter.subscribed_at is not None
    assert supporter.campaign_id == statement.campaign_id


def test_a_signatory_who_leaves_it_unticked_is_known_but_not_subscribed(make_statement, sign):
    sign(make_statement(), email="quiet@example.org")
    [supporter] = supporters("quiet@example.org")
    assert supporter.state is SubscriptionState.not_subscribed
    assert supporter.subscribed_at is None


def test_one_person_signing_two_statements_and_registering_is_one_supporter(
        make_campaign, make_statement, make_event, sign, register):
    campaign = make_campaign()
    first, second = make_statement(campaign=campaign), make_statement(campaign=campaign)
    event = make_event(campaign=campaign)
    sign(first, email="taras@example.org")
    sign(second, email="TARAS@example.org", email_updates="y")
    register(event, email="taras@example.org")
    [supporter] = supporters("taras@example.org")
    assert supporter.state is SubscriptionState.subscribed
    from campaign.supporters.service import registrations_of, signatures_of
    assert {s.statement_id for s in signatures_of(supporter)} == {first.id, second.id}
    assert [r.event_id for r in registrations_of(supporter)] == [event.id]


def test_a_registrant_can_ask_for_updates_on_the_registration_form(make_event, register):
    event = make_event()
    register(event, email="reg@example.org", email_updates="y")
    [supporter] = supporters("reg@example.org")
    assert supporter.state is SubscriptionState.subscribed
    assert supporter.subscribed_via is SubscriptionSource.registration


def test_subscribing_on_the_subscribe_page_waits_for_the_emailed_link(
        client, make_campaign):
    campaign = make_campaign()
    page = f"/subscribe?campaign={campaign.slug}"
    response = client.submit(page, {"email": "new@example.org", "name": "Nadia", "consent": "y"},
                             page=page)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [supporter] = supporters("new@example.org")
    assert supporter.state is SubscriptionState.pending
    link = link_in_newest_mail_to("new@example.org", "/subscribe/confirm/")
    assert "Confirm your subscription" in client.get(link).get_data(as_text=True)
    assert supporters("new@example.org")[0].state is SubscriptionState.pending
    client.submit(link, page=link)
    [supporter] = supporters("new@example.org")
    assert supporter.state is SubscriptionState.subscribed
    assert supporter.subscribed_via is SubscriptionSource.subscribe_form


def test_the_subscribe_page_answers_bad_input_with_a_message(client, make_campaign):
    campaign = make_campaign()
    page = f"/subscribe?campaign={campaign.slug}"
    for data in ({"email": "not-an-address", "consent": "y"},
                 {"email": "a@example.org"},
                 {"email": "a@example.org\x00", "consent": "y"},
                 {"email": "a@example.org", "name": "x" * 5000, "consent": "y"}):
        response = client.submit(page, data, page=page)
        assert response.status_code == 400
        assert "There is a problem" in response.get_data(as_text=True)
    assert client.get("/subscribe?campaign=nope").status_code == 404
    assert client.get("/subscribe/confirm/forged").status_code == 400
    assert client.delete(page).status_code == 405


def test_an_address_that_unsubscribed_is_not_resubscribed_by_a_ticked_box_alone(
        client, make_statement, sign):
    statement = make_statement()
    sign(statement, email="once@example.org", email_updates="y")
    [supporter] = supporters("once@example.org")
    client.post(unsubscribe_url(supporter.id).removeprefix("http://localhost"))
    sign(make_statement(campaign=statement.campaign), email="once@example.org",
         email_updates="y")
    assert supporters("once@example.org")[0].state is SubscriptionState.unsubscribed
    assert "/subscribe/confirm/" in link_in_newest_mail_to("once@example.org", "/subscribe/")


def test_the_unsubscribe_page_asks_with_a_button_and_a_one_click_post_needs_no_form(
        client, make_statement, sign):
    sign(make_statement(), email="leave@example.org", email_updates="y")
    [supporter] = supporters("leave@example.org")
    path = unsubscribe_url(supporter.id).removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert supporters("leave@example.org")[0].state is SubscriptionState.subscribed
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert supporters("leave@example.org")[0].state is SubscriptionState.unsubscribed
    assert client.post(path).status_code == 200  # again: nothing changes, no error
    assert client.post("/unsubscribe/forged-token").status_code == 400


def test_a_persons_export_and_erasure_cover_their_supporter_records(app, make_statement, sign):
    sign(make_statement(), email="private@example.org", email_updates="y")
    export = export_person("private@example.org")
    [record] = export["supporters"]
    assert record["email"] == "private@example.org"
    assert record["subscription"] == "subscribed"
    assert record["consent_version"] == app.config["UPDATES_CONSENT_VERSION"]
    erase_person("private@example.org")
    assert supporters("private@example.org") == []
    assert db.session.scalar(select(func.count()).select_from(Supporter)) == 0


def test_the_email_is_encrypted_at_rest(make_statement, sign):
    sign(make_statement(), email="secret@example.org", email_updates="y")
    stored = db.session.execute(db.text("SELECT email FROM supporters")).scalar_one()
    assert "secret" not in stored


def test_one_address_signing_four_statements_told_by_four_senders_at_once_is_one_supporter(
        app, make_campaign, make_statement):
    import threading

    from campaign.signatures import service as signing
    campaign = make_campaign()
    statements = [make_statement(campaign=campaign) for _ in range(4)]
    for statement in statements:
        signing.sign(statement, signing.SignatoryDetails(
            name="Same Person", email="same@example.org", wants_updates=True))
    app.config["MAIL_BATCH_SIZE"] = 1  # each sender takes one of the four signatures
    start = threading.Barrier(len(statements))
    errors = []

    def one_sender():
        with app.app_context():
            start.wait()
            try:
                tell_new_signatories()
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_sender) for _ in statements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    tell_new_signatories()  # whatever a sender skipped while another held it
    [supporter] = supporters("same@example.org")
    assert supporter.state is SubscriptionState.subscribed


def test_a_supporter_is_greeted_by_the_name_they_last_gave_and_a_nameless_form_keeps_it(
        client, make_campaign, make_statement, sign):
    campaign = make_campaign()
    first, second = make_statement(campaign=campaign), make_statement(campaign=campaign)
    sign(first, name="Taras Shevchenko", email="taras@example.org")
    page = f"/subscribe?campaign={campaign.slug}"
    client.submit(page, {"email": "taras@example.org", "name": "", "consent": "y"}, page=page)
    assert [s.name for s in supporters("taras@example.org")] == ["Taras Shevchenko"]

    sign(second, name="Taras H. Shevchenko", email="taras@example.org")
    assert [s.name for s in supporters("taras@example.org")] == ["Taras H. Shevchenko"]
