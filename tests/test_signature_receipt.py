"""A signature that needs no email confirmation still gets an email: a receipt with the link to
withdraw. Every way of asking for email (signing, signing again, asking for the link again) is
slowed down per client address: signing again faster than one person does sends nothing."""
import pytest
from sqlalchemy import select

from campaign.mail.service import message_bodies
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.sender import send_due
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus


def messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_signing_without_confirmation_emails_a_receipt_whose_link_withdraws_the_signature(
    client, make_statement, sign, emailed_link
):
    statement = make_statement(requires_confirmation=False, title="Stop the war")

    sign(statement, name="Olena Kovalenko", email="olena@example.org", show_publicly="y")

    [receipt] = messages()
    assert (receipt.kind, receipt.to) == ("signature_receipt", "olena@example.org")
    assert receipt.subject == "Thank you for signing: Stop the war"
    assert "Hello Olena Kovalenko," in message_bodies(receipt)[0]
    assert "recorded and counted" in message_bodies(receipt)[0]
    assert f"/s/{statement.slug}/withdraw/" in message_bodies(receipt)[0]
    assert f"/s/{statement.slug}/withdraw/" in message_bodies(receipt)[1]
    assert "Withdraw my signature and erase my details" in message_bodies(receipt)[1]
    assert counts.totals(statement.id) == counts.Totals(1, 1)

    withdraw = emailed_link("olena@example.org", "withdraw")
    assert "Withdraw" in client.get(withdraw).get_data(as_text=True)
    client.submit(withdraw, page=withdraw)

    db.session.expire_all()
    signature = db.session.scalars(select(Signature)).one()
    assert signature.status is SignatureStatus.withdrawn and signature.email is None
    assert counts.totals(statement.id) == counts.Totals(0, 0)


def test_the_thank_you_page_says_an_email_with_the_withdraw_link_was_sent(
    client, make_statement, sign
):
    statement = make_statement(requires_confirmation=False)
    thanks = client.get(sign(statement).headers["Location"]).get_data(as_text=True)
    assert "We have sent an email to the address you gave" in thanks


def test_a_statement_needing_confirmation_sends_the_confirmation_and_no_receipt(
    make_statement, sign
):
    sign(make_statement(requires_confirmation=True))
    assert [message.kind for message in messages()] == ["signature_confirmation"]


def test_a_bot_gets_no_receipt(make_statement, sign):
    sign(make_statement(requires_confirmation=False), website="http://spam.example")
    assert messages() == []
    assert db.session.scalars(select(Signature)).all() == []


@pytest.fixture
def limits_on(settings):
    settings.update(RATELIMIT_ENABLED=True, SIGN_HOLD_AFTER="1 per minute;5 per 5 minutes")
    return settings


def test_signing_again_and_again_to_have_emails_sent_sends_no_more(
    limits_on, make_statement, sign
):
    statement = make_statement(requires_confirmation=False)

    codes = [sign(statement, email="olena@example.org").status_code for _ in range(3)]

    assert codes == [302, 302, 302]
    assert [message.kind for message in messages()] == ["signature_receipt"]


def test_asking_for_the_confirmation_link_again_and_again_is_slowed_down(
    limits_on, client, make_statement, sign
):
    statement = make_statement(requires_confirmation=True)
    sign(statement, email="olena@example.org")
    thanks = f"/s/{statement.slug}/thanks"

    codes = [
        client.submit(f"/s/{statement.slug}/resend", {"email": "olena@example.org"},
                      page=thanks).status_code
        for _ in range(2)
    ]

    assert codes == [200, 429]
    send_due()
    assert [message.kind for message in messages()] == ["signature_confirmation"] * 2
