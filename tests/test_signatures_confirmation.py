"""A signatory confirms by email, asks for the link again, and withdraws."""
import threading
import time

import pytest
from sqlalchemy import event, select

from campaign.common.hashing import email_index
from campaign import create_app
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.audit.models import AuditEntry
from campaign.signatures import counts, links, listing, service
from campaign.signatures.models import ResendRequest, Signature, SignatureStatus
from tests.conftest import CampaignClient


def _signature() -> Signature:
    db.session.expire_all()
    return db.session.scalar(select(Signature))


def _messages_to(address: str) -> list[str]:
    """Kinds of the messages to exactly this address: found by its blind index, then compared."""
    messages = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.to)
        .where(OutboxMessage.to_index == email_index(address)).order_by(OutboxMessage.id)
    )
    return [kind for kind, to in messages if to == address]


@pytest.fixture
def pending(make_statement, sign, emailed_link):
    """A statement needing confirmation, signed by olena@example.org (listed publicly)."""
    statement = make_statement(requires_confirmation=True)
    sign(statement, show_publicly="y")
    return statement


def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(
    client, pending, emailed_link
):
    link = emailed_link("olena@example.org", "confirm")

    page = client.get(link)
    client.get(link)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Confirm my signature" in html and 'method="post"' in html
    assert _signature().status is SignatureStatus.pending
    assert counts.totals(pending.id).counted == 0
    assert "Olena Kovalenko" not in client.get(f"/s/{pending.slug}").get_data(as_text=True)

    response = client.submit(link, {}, page=link)

    assert response.status_code == 200
    assert "Your signature is confirmed" in response.get_data(as_text=True)
    signature = _signature()
    assert signature.status is SignatureStatus.confirmed and signature.confirmed_at
    assert counts.totals(pending.id) == counts.Totals(1, 1)
    assert "Olena Kovalenko" in client.get(f"/s/{pending.slug}").get_data(as_text=True)


def test_confirming_twice_counts_once(client, pending, emailed_link):
    link = emailed_link("olena@example.org", "confirm")
    client.submit(link, {}, page=link)
    again = client.submit(link, {}, page=link)
    assert again.status_code == 200
    assert counts.totals(pending.id) == counts.Totals(1, 1)


def test_confirming_without_the_form_token_is_refused(client, pending, emailed_link):
    link = emailed_link("olena@example.org", "confirm")
    client.get(link)
    assert client.post(link).status_code == 400
    assert _signature().status is SignatureStatus.pending


def test_an_expired_confirmation_link_gets_a_clear_400_page(
    client, pending, emailed_link, monkeypatch
):
    link = emailed_link("olena@example.org", "confirm")
    fifteen_days_later = time.time() + 15 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: fifteen_days_later)

    page = client.get(link)
    pressed = client.submit(link, {}, page="/login")

    for response in (page, pressed):
        assert response.status_code == 400
        assert "This link has expired" in response.get_data(as_text=True)
    assert _signature().status is SignatureStatus.pending


def test_a_link_for_one_statement_does_not_work_on_another(
    client, pending, make_statement, emailed_link
):
    other = make_statement()
    token = emailed_link("olena@example.org", "confirm").rsplit("/", 1)[1]
    response = client.get(f"/s/{other.slug}/confirm/{token}")
    assert response.status_code == 400


def test_a_confirm_link_cannot_be_used_to_withdraw(client, pending, emailed_link):
    token = emailed_link("olena@example.org", "confirm").rsplit("/", 1)[1]
    assert client.get(f"/s/{pending.slug}/withdraw/{token}").status_code == 400


def test_resend_gives_the_same_answer_whether_or_not_the_address_signed(
    client, pending
):
    page = f"/s/{pending.slug}/thanks"
    signed = client.submit(f"/s/{pending.slug}/resend", {"email": "OLENA@example.org"}, page=page)
    unknown = client.submit(f"/s/{pending.slug}/resend", {"email": "nobody@example.org"},
                            page=page)

    def _without_token(response):
        html = response.get_data(as_text=True)
        return html.split('name="form_token"')[0] + html.split('name="form_token"')[1][120:]

    assert signed.status_code == unknown.status_code == 200
    assert "If that address has signed this statement" in signed.get_data(as_text=True)
    assert _without_token(signed) == _without_token(unknown)
    send_due()
    assert _messages_to("OLENA@example.org") == ["signature_confirmation"]
    assert _messages_to("nobody@example.org") == []


def _statements_run_by(request) -> list[str]:
    """Every SQL statement the database is sent while `request()` runs, in order."""
    sent = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        request()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return sent


def test_asking_for_the_link_again_does_the_same_database_work_whether_or_not_the_address_signed(
    client, pending, emailed_link
):
    """How long the answer takes must not tell whether an address signed: the request only
    writes the wish down; the mail sender looks the address up after the answer is sent."""
    client.get(f"/s/{pending.slug}/thanks")  # the person is on the thanks page
    token = client.form_token()

    def ask(email):
        return lambda: client.post(f"/s/{pending.slug}/resend",
                                   data={"email": email, "form_token": token})

    signed = _statements_run_by(ask("olena@example.org"))
    never_signed = _statements_run_by(ask("nobody@example.org"))

    assert len(signed) == len(never_signed)
    assert signed == never_signed
    assert not any("FROM signatures" in statement for statement in signed)

    assert _messages_to("olena@example.org") == ["signature_confirmation"]  # from signing
    send_due()
    assert _messages_to("olena@example.org") == ["signature_confirmation"] * 2
    assert _messages_to("nobody@example.org") == []
    assert db.session.scalars(select(ResendRequest)).all() == [], "no address is kept after"
    again = emailed_link("olena@example.org", "confirm")
    client.submit(again, page=again)
    assert _signature().status is SignatureStatus.confirmed


def test_a_confirmed_signatory_asking_for_the_link_again_is_told_they_have_signed(
    client, pending, emailed_link
):
    link = emailed_link("olena@example.org", "confirm")
    client.submit(link, page=link)
    page = f"/s/{pending.slug}/thanks"
    client.submit(f"/s/{pending.slug}/resend", {"email": "olena@example.org"}, page=page)

    send_due()

    assert _messages_to("olena@example.org") == [
        "signature_confirmation", "signature_already_signed"]


def test_resend_checks_the_address_it_is_given(client, pending):
    response = client.submit(f"/s/{pending.slug}/resend", {"email": "not an address"},
                             page=f"/s/{pending.slug}/thanks")
    assert response.status_code == 400
    assert "Enter an email address in the right format" in response.get_data(as_text=True)


def test_withdrawing_erases_the_personal_data_and_lowers_the_count(
    client, make_statement, sign, emailed_link
):
    statement = make_statement(requires_confirmation=True)
    sign(statement, show_publicly="y", affiliation="Kyiv School 5", comment="For peace")
    confirm = emailed_link("olena@example.org", "confirm")
    client.submit(confirm, {}, page=confirm)
    assert counts.totals(statement.id) == counts.Totals(1, 1)
    link = emailed_link("olena@example.org", "withdraw")

    assert client.get(link).status_code == 200
    assert _signature().status is SignatureStatus.confirmed  # a GET changes nothing
    response = client.submit(link, {}, page=link)

    assert response.status_code == 200
    assert "Your signature has been withdrawn" in response.get_data(as_text=True)
    signature = _signature()
    assert signature.status is SignatureStatus.withdrawn
    assert signature.name == service.WITHDRAWN_NAME
    assert (signature.email, signature.email_index, signature.ip_hash) == (None, None, None)
    assert (signature.affiliation, signature.comment) == ("", "")
    assert counts.totals(statement.id) == counts.Totals(0, 0)
    assert counts.exact_totals(statement.id) == counts.Totals(0, 0)
    assert "Olena" not in client.get(f"/s/{statement.slug}").get_data(as_text=True)
    again = client.get(link)
    assert again.status_code == 410
    assert "already been withdrawn" in again.get_data(as_text=True)
    assert client.get(confirm).status_code == 410
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signature.erase"))
    assert audit.actor == "signatory" and "olena" not in audit.detail.lower()


def test_withdrawing_before_confirming_erases_too(client, pending, emailed_link):
    link = emailed_link("olena@example.org", "withdraw")
    client.submit(link, {}, page=link)
    assert _signature().status is SignatureStatus.withdrawn
    assert counts.totals(pending.id) == counts.Totals(0, 0)


def _withdraw_link() -> str:
    signature = _signature()
    return f"/s/{signature.statement.slug}/withdraw/{links.link_token(signature, 'withdraw')}"


def test_after_withdrawing_a_person_may_sign_again(client, make_statement, sign):
    statement = make_statement(requires_confirmation=False)
    sign(statement)
    link = _withdraw_link()
    client.submit(link, {}, page=link)

    assert sign(statement).status_code == 302

    statuses = sorted(s.status.value for s in db.session.scalars(select(Signature)))
    assert statuses == ["confirmed", "withdrawn"]
    assert counts.totals(statement.id).counted == 1


def test_anonymising_keeps_the_count_and_country_but_not_the_person(
    make_statement, make_signature
):
    statement = make_statement()
    signature = make_signature(statement, name="Ivan Franko", affiliation="Lviv", country="UA",
                               comment="Note", show_publicly=True)
    counts.reconcile(statement.id)

    service.anonymise_signature(signature, "retention period over")
    db.session.commit()

    signature = _signature()
    assert signature.status is SignatureStatus.confirmed and signature.country == "UA"
    assert signature.name == service.ANONYMOUS_NAME
    assert (signature.email, signature.affiliation, signature.comment) == (None, "", "")
    assert counts.totals(statement.id) == counts.Totals(1, 0)
    assert counts.exact_totals(statement.id) == counts.Totals(1, 0)


def test_erasing_a_curated_signatory_closes_the_gap_in_the_order(
    make_statement, make_signature
):
    statement = make_statement()
    first, second, third = (
        make_signature(statement, name=name, featured=True, featured_position=position)
        for position, name in enumerate(["First", "Second", "Third"], start=1)
    )
    counts.reconcile(statement.id)

    service.erase_signature(second, "erasure request")
    db.session.commit()

    db.session.expire_all()
    assert [(s.name, s.featured_position) for s in listing.curated_signatories(statement)] == [
        ("First", 1), ("Third", 2)]
    assert counts.totals(statement.id) == counts.Totals(2, 2)


def test_pressing_confirm_many_times_at_once_counts_once(
    settings, on_postgresql, pending, emailed_link
):
    if not on_postgresql:
        pytest.skip("real concurrent writers need PostgreSQL")
    link = emailed_link("olena@example.org", "confirm")
    app = create_app(settings)
    app.test_client_class = CampaignClient
    clients = [app.test_client() for _ in range(6)]
    tokens = [client.csrf_token(link) for client in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def press(client, token):
        with app.app_context():
            barrier.wait()
            statuses.append(client.post(link, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()

    assert statuses == [200] * 6
    assert counts.totals(pending.id) == counts.Totals(1, 1)
