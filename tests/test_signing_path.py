"""Nothing on the signing request that can be done later: the email and the supporter record are
written by the mail sender, which renders the email; the country is checked against a set; the
statement is not read afresh for every signature."""
import re
import threading
import time

import pytest
from sqlalchemy import event, func, select, update

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.organizers.models import Role
from campaign.signatures import counts, forms
from campaign.signatures import service as signing
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.milestones import set_chosen
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement, StatementStatus
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


def test_a_signature_reads_nothing_of_its_statement_while_it_is_unchanged(
    client, make_statement, sign
):
    second = _statements_of_a_second_signature(
        client, make_statement(requires_confirmation=False), sign)

    assert not [sql for sql in second if sql.lstrip().upper().startswith("SELECT")]
    [insert] = [sql for sql in second if "INSERT INTO signatures" in sql]
    assert "FROM statements" in insert  # stored only while the statement is as it was read


def test_on_postgresql_a_new_signature_is_one_statement_that_commits_itself(
    app, client, make_statement, sign
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the signature and its counts are three statements")
    statement = make_statement(requires_confirmation=False)
    slug, statement_id = statement.slug, statement.id
    sign(statement, name="First Signer", email="first@example.org")
    sent = []

    def note(connection, _cursor, statement, _parameters, _context, _executemany):
        sent.append((statement, connection.connection.dbapi_connection.autocommit))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.post(f"/s/{slug}/sign", data={
            "name": "Second Signer", "email": "second@example.org", "consent": "y",
            "form_token": client.form_token()})
    finally:
        event.remove(db.engine, "before_cursor_execute", note)

    assert response.status_code == 302
    [(insert, on_its_own)] = sent
    assert insert.startswith("WITH new AS (INSERT INTO signatures") and on_its_own
    assert counts.totals(statement_id).counted == 2
    with app.app_context():  # and it is stored: another session sees it
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 2


def _changed_elsewhere(statement, **values) -> None:
    """What another worker's organizer does: the statement changes (and so its version) without
    this worker's kept terms being told."""
    db.session.execute(update(Statement).where(Statement.id == statement.id)
                       .values(updated_at=utcnow(), **values))
    db.session.commit()


def _post_signature(client, statement, name: str, email: str):
    return client.post(f"/s/{statement.slug}/sign", data={
        "name": name, "email": email, "consent": "y", "form_token": client.form_token()})


@pytest.fixture
def signed_here(make_statement, sign):
    """A statement signed once through this worker, which keeps its terms since."""
    statement = make_statement(requires_confirmation=False)
    sign(statement, name="First Signer", email="first@example.org")
    return statement


def test_a_statement_closed_by_another_worker_takes_no_more_signatures_here(client, signed_here):
    statement = signed_here
    _changed_elsewhere(statement, status=StatementStatus.closed)

    refused = _post_signature(client, statement, "Late Signer", "late@example.org")

    assert refused.status_code == 409
    assert db.session.scalars(select(Signature.name)).all() == ["First Signer"]


def test_a_statement_reopened_by_another_worker_takes_signatures_here_again(
    client, signed_here
):
    statement = signed_here
    _changed_elsewhere(statement, status=StatementStatus.closed)
    assert _post_signature(client, statement, "Early", "early@example.org").status_code == 409
    _changed_elsewhere(statement, status=StatementStatus.published)

    accepted = _post_signature(client, statement, "Second Signer", "second@example.org")

    assert accepted.status_code == 302
    assert sorted(db.session.scalars(select(Signature.name))) == ["First Signer", "Second Signer"]


def test_a_signature_follows_terms_changed_by_another_worker(client, signed_here):
    statement = signed_here
    _changed_elsewhere(statement, requires_confirmation=True)

    accepted = _post_signature(client, statement, "Second Signer", "second@example.org")

    assert accepted.status_code == 302
    second = db.session.scalar(select(Signature).where(Signature.name == "Second Signer"))
    assert second.status is SignatureStatus.pending  # the new terms: confirm by email
    assert counts.totals(statement.id).counted == 1


def test_a_statement_unpublished_by_another_worker_is_not_found_by_signers_here(
    client, signed_here
):
    statement = signed_here
    _changed_elsewhere(statement, status=StatementStatus.draft)

    assert _post_signature(client, statement, "Late", "late@example.org").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1


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
    smtp_server, mail_in_background, client, make_statement
):
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


def test_on_sqlite_a_senders_round_takes_a_few_new_signatures_at_a_time(
    client, make_statement
):
    """SQLite writes one transaction at a time, and signers wait while a round writes."""
    statement = make_statement(requires_confirmation=True)
    for number in range(12):
        assert _post_signature(client, statement, f"Signer {number}",
                               f"signer{number}@example.org").status_code == 302

    taken = tell_new_signatories()

    assert taken == (8 if db.engine.dialect.name == "sqlite" else 12)
    assert tell_new_signatories() == 12 - taken
