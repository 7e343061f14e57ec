"""Nothing on the signing request that can be done later: the email and the supporter record are
written by the mail sender, which renders the email; the country is checked against a set; the
statement is not read afresh for every signature."""
import re
import threading
import time

from sqlalchemy import event, select

from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.organizers.models import Role
from campaign.signatures import counts, forms
from campaign.signatures import service as signing
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.milestones import set_chosen
from campaign.signatures.models import Signature
from campaign.supporters.models import SubscriptionState, Supporter
from campaign.webhooks.models import WebhookDelivery
from campaign.webhooks.service import add_endpoint


def _statements_run_by(request) -> list[str]:
    sent = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        request()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return sent


def test_a_signatory_gets_the_email_the_sender_rendered_after_the_answer(sign, make_statement):
    statement = make_statement(title="Stop the war", requires_confirmation=True)

    sign(statement, name="Olena Kovalenko", email="olena@example.org")

    waiting = db.session.scalar(select(OutboxMessage))
    assert (waiting.template, waiting.body_text) == ("signature_confirm", "")
    assert "Olena Kovalenko" in waiting.context
    send_due()
    db.session.expire_all()
    sent = db.session.scalar(select(OutboxMessage))
    assert "Hello Olena Kovalenko," in sent.body_text
    assert f"/s/{statement.slug}/confirm/" in sent.body_text
    assert "Stop the war" in sent.body_html
    assert (sent.template, sent.context) == ("", "")


def test_the_sender_renders_a_signatorys_email_without_reading_the_site_settings(
    sign, make_statement
):
    statement = make_statement(requires_confirmation=True)
    sign(statement, name="Olena Kovalenko", email="olena@example.org")

    run = _statements_run_by(send_due)

    assert [sql for sql in run if "UPDATE outbox" in sql]  # it did send
    assert not [sql for sql in run if "site_settings" in sql]


def test_a_country_not_on_the_list_is_refused_without_building_the_list(
    client, make_statement, monkeypatch
):
    statement = make_statement()
    forms._country_codes()
    built = []
    real = forms._countries_in
    monkeypatch.setattr(forms, "_countries_in", lambda locale: built.append(locale) or real(locale))

    def post(name, email, country):
        return client.post(f"/s/{statement.slug}/sign", data={
            "name": name, "email": email, "country": country, "consent": "y",
            "form_token": client.form_token()})

    accepted = post("Olena", "olena@example.org", "UA")
    refused = post("Taras", "taras@example.org", "XX")

    assert accepted.status_code == 302
    assert refused.status_code == 400
    assert "Choose a country from the list." in refused.get_data(as_text=True)
    assert built == ["en"]  # once, to show the list again with the mistake


def _statements_of_a_second_signature(client, statement, sign) -> list[str]:
    """The SQL run by the statement's second signature, the first having warmed the worker."""
    slug = statement.slug
    sign(statement, name="First Signer", email="first@example.org")
    return _statements_run_by(lambda: client.post(f"/s/{slug}/sign", data={
        "name": "Second Signer", "email": "second@example.org", "consent": "y",
        "form_token": client.form_token()}))


def test_a_signature_reads_the_statement_once_per_worker_while_it_is_unchanged(
    client, make_statement, sign
):
    second = _statements_of_a_second_signature(
        client, make_statement(requires_confirmation=False), sign)

    reads = [sql for sql in second if "FROM statements" in sql]
    assert len(reads) == 1 and "preamble" not in reads[0]  # its version, not the statement


def test_a_signature_reads_the_site_name_once_per_worker_while_it_is_kept(
    app, client, make_statement, sign
):
    app.config["PAGE_CACHE_SECONDS"] = 60
    second = _statements_of_a_second_signature(
        client, make_statement(requires_confirmation=True), sign)

    assert second and not [sql for sql in second if "FROM site_settings" in sql]


def _inserted_tables(statements: list[str]) -> set[str]:
    return {table for sql in statements for table in re.findall(r"INSERT INTO (\w+)", sql)}


def test_a_signing_request_writes_the_signature_and_its_counts_and_the_sender_the_rest(
    client, make_statement
):
    statement = make_statement(requires_confirmation=False)
    client.get(f"/s/{statement.slug}")

    run = _statements_run_by(lambda: client.post(f"/s/{statement.slug}/sign", data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
        "email_updates": "y", "form_token": client.form_token()}))

    assert _inserted_tables(run) == {"signatures", "signature_count_shards",
                                     "signature_stat_shards"}
    assert counts.totals(statement.id).counted == 1
    assert not db.session.scalars(select(OutboxMessage)).all()
    assert not db.session.scalars(select(Supporter)).all()

    signed_at = db.session.scalars(select(Signature.updated_at)).one()
    assert tell_new_signatories() == 1
    assert tell_new_signatories() == 0
    assert db.session.scalars(select(Signature.updated_at)).one() == signed_at
    [receipt] = db.session.scalars(select(OutboxMessage)).all()
    assert receipt.kind == "signature_receipt" and receipt.to == "olena@example.org"
    [supporter] = db.session.scalars(select(Supporter)).all()
    assert supporter.state is SubscriptionState.subscribed


def test_a_signature_confirmed_as_it_arrives_is_announced_by_the_sender_not_the_request(
    client, make_statement, make_organizer
):
    """Its webhook and the milestone it reached: the request reads neither the endpoints nor
    the milestones, and the mail sender's round announces both."""
    make_organizer(Role.owner)
    statement = make_statement(requires_confirmation=False, title="Stop the war")
    set_chosen(statement, [1])
    add_endpoint("https://crm.example.org/hooks", ["signature.confirmed"])
    db.session.commit()
    client.get(f"/s/{statement.slug}")

    run = _statements_run_by(lambda: client.post(f"/s/{statement.slug}/sign", data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
        "form_token": client.form_token()}))

    assert not [sql for sql in run if "webhook_endpoints" in sql or "milestones" in sql]
    assert not db.session.scalars(select(WebhookDelivery)).all()
    assert tell_new_signatories() == 1
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    signature = db.session.scalars(select(Signature)).one()
    assert (delivery.event, delivery.resource) == ("signature.confirmed",
                                                   f"signature:{signature.id}")
    [cheer] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "milestone_reached")).all()
    assert cheer.subject == "Stop the war: 1 signatures"


def test_a_signature_confirmed_by_its_link_before_the_senders_turn_is_announced_once(
    client, make_statement, emailed_link
):
    statement = make_statement(requires_confirmation=True)
    add_endpoint("https://crm.example.org/hooks", ["signature.confirmed"])
    db.session.commit()
    client.get(f"/s/{statement.slug}")
    client.post(f"/s/{statement.slug}/sign", data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
        "form_token": client.form_token()})
    link = emailed_link("olena@example.org", "confirm")  # the sender's round writes the link
    signature = db.session.scalars(select(Signature)).one()
    signature.email_due = True  # as if the link had been opened before that round
    db.session.commit()

    client.submit(link, {}, page=link)  # "Confirm my signature"
    tell_new_signatories()

    assert [delivery.event for delivery in db.session.scalars(select(WebhookDelivery))] == [
        "signature.confirmed"]


def test_a_signature_erased_before_the_senders_turn_is_told_nothing(
    client, make_statement
):
    statement = make_statement(requires_confirmation=True)
    client.get(f"/s/{statement.slug}")
    client.post(f"/s/{statement.slug}/sign", data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
        "form_token": client.form_token()})
    signature = db.session.scalars(select(Signature)).one()
    signing.erase_signature(signature, "asked by the person")
    db.session.commit()

    assert tell_new_signatories() == 1
    assert not db.session.scalars(select(OutboxMessage)).all()
    assert not db.session.scalars(select(Supporter)).all()


def test_three_senders_at_once_tell_each_new_signatory_once(app, make_statement):
    statement = make_statement(requires_confirmation=True)
    signatories = [f"signer{number}@example.org" for number in range(30)]
    for address in signatories:
        signing.sign(statement, signing.SignatoryDetails(name="Signer", email=address))
    app.config["MAIL_BATCH_SIZE"] = 4
    start = threading.Barrier(3)
    errors = []

    def one_sender():
        with app.app_context():
            start.wait()
            try:
                while tell_new_signatories():
                    pass
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)
            finally:
                db.session.remove()

    senders = [threading.Thread(target=one_sender) for _ in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)

    assert not errors
    db.session.expire_all()
    told = db.session.scalars(select(OutboxMessage.to)).all()
    assert sorted(told) == sorted(signatories)


def test_in_the_embedded_default_the_signatory_is_emailed_after_the_answer_without_a_command(
    app, client, make_statement, smtp_server
):
    app.config["MAIL_SEND_IN_BACKGROUND"] = True
    statement = make_statement(requires_confirmation=True)
    client.get(f"/s/{statement.slug}")

    response = client.post(f"/s/{statement.slug}/sign", data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
        "form_token": client.form_token()})

    assert response.status_code == 302
    deadline = time.monotonic() + 10
    while not smtp_server.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [message["To"] for message in smtp_server.received] == ["olena@example.org"]
    assert smtp_server.received[0]["Subject"].startswith("Confirm your signature")
    # Until the sender has recorded it sent: it then holds nothing the tables' emptying waits on.
    while db.session.scalar(select(OutboxMessage.status)).name != "sent" \
            and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
