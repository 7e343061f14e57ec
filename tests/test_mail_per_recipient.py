"""People protecting someone's inbox: however many requests name one address, from however
many client addresses, that address gets at most MAIL_PER_RECIPIENT_DAILY messages a day
about one statement or event, and every request still gets the same answer."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.models import Registration
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, RecipientDailyCount
from campaign.mail.sender import send_due
from campaign.organizers.models import Role
from campaign.privacy.duties import apply_retention
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Signature
from tests.test_registration_concurrency import all_at_once

VICTIM = "victim@example.org"


@pytest.fixture
def limits_on(settings):
    """The per-client-address limits on, as in production: fifty addresses pass them all."""
    settings.update(RATELIMIT_ENABLED=True)
    return settings


def client_address(number: int) -> str:
    return f"198.51.100.{number}"


def mail_to(address: str) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.to_index == email_index(address)).order_by(OutboxMessage.id)
    ))


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_fifty_signatures_with_one_address_from_fifty_clients_send_it_three_emails(
    limits_on, client, make_statement, sign
):
    statement = make_statement(requires_confirmation=True)

    answers = set()
    for number in range(50):
        client.environ_base["REMOTE_ADDR"] = client_address(number)
        response = sign(statement, name=f"Signer {number}", email=VICTIM)
        answers.add((response.status_code, response.headers.get("Location")))

    assert answers == {(302, f"/s/{statement.slug}/thanks")}
    assert rows(Signature) == 1
    assert mail_to(VICTIM) == ["signature_confirmation"] * 3


def test_fifty_registrations_with_one_address_from_fifty_clients_send_it_three_emails(
    limits_on, client, make_event, register
):
    event = make_event()

    pages = set()
    for number in range(50):
        client.environ_base["REMOTE_ADDR"] = client_address(number)
        response = register(event, name=f"Guest {number}", email=VICTIM)
        pages.add((response.status_code, "Check your email" in response.get_data(as_text=True)))

    assert pages == {(200, True)}
    assert rows(Registration) == 1
    assert mail_to(VICTIM) == ["registration_confirmed"] * 3


def test_the_address_written_another_way_counts_as_the_same_recipient(make_statement, sign):
    statement = make_statement()
    for address in ("Olena.K+1@gmail.com", "olenak@GMAIL.com", "o.l.e.n.a.k@gmail.com",
                    "OLENAK+4@gmail.com"):
        sign(statement, email=address)

    assert rows(OutboxMessage) == 3


def test_another_statement_the_same_day_gets_its_own_three(make_statement, sign):
    first, second = make_statement(), make_statement()
    for _ in range(4):
        sign(first, email=VICTIM)

    sign(second, email=VICTIM)

    assert mail_to(VICTIM) == ["signature_receipt"] + ["signature_already_signed"] * 2 + [
        "signature_receipt"]


def test_an_organizers_notice_reaches_someone_whose_three_are_spent(
    client, logged_in, make_event, register
):
    event = make_event()
    for _ in range(4):
        register(event, email=VICTIM)
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}"

    client.submit(f"{page}/cancel", page=page)

    assert mail_to(VICTIM) == ["registration_confirmed"] * 3 + ["registration_event_cancelled"]


def test_the_counts_keep_no_address_and_go_once_their_day_is_over(make_statement, sign):
    sign(make_statement(), email=VICTIM)
    [count] = db.session.scalars(select(RecipientDailyCount)).all()
    assert VICTIM not in count.recipient_hash and len(count.recipient_hash) == 64

    apply_retention(now=utcnow())
    assert rows(RecipientDailyCount) == 1
    apply_retention(now=utcnow() + timedelta(days=1))
    assert rows(RecipientDailyCount) == 0


# Requests truly side by side ---------------------------------------------------------------


@pytest.fixture
def side_by_side(settings):
    """Every thread posts a real form; CSRF is left out here (it has its own tests) and the
    pool is large enough that no thread waits long for a connection."""
    settings.update(WTF_CSRF_ENABLED=False, DB_POOL_SIZE=30, DB_MAX_OVERFLOW=25)
    return settings


@pytest.mark.postgresql
def test_fifty_signatures_at_once_with_one_address_send_it_three_emails_and_its_receipt(
    side_by_side, app, on_postgresql, make_statement
):
    if not on_postgresql:
        pytest.skip("real concurrent writers need PostgreSQL")
    url = f"/s/{make_statement().slug}/sign"
    data = {"name": "Olena Kovalenko", "email": VICTIM, "country": "UA", "consent": "y"}

    codes = all_at_once(app, [
        lambda client, n=n: client.post(url, data=data,
                                        environ_base={"REMOTE_ADDR": client_address(n)})
        for n in range(50)
    ])

    assert codes == [302] * 50
    assert rows(Signature) == 1
    tell_new_signatories()  # the mail sender, after the answers
    # The repeats' three, then the signature's own receipt, which they could not use up.
    assert mail_to(VICTIM) == ["signature_already_signed"] * 3 + ["signature_receipt"]


@pytest.mark.postgresql
def test_fifty_registrations_at_once_with_one_address_send_it_three_emails(
    side_by_side, app, on_postgresql, make_event
):
    if not on_postgresql:
        pytest.skip("real concurrent writers need PostgreSQL")
    event = make_event()
    url = f"/e/{event.slug}"
    data = {"name": "Oksana Holota", "email": VICTIM, "consent": "y",
            "ticket": str(event.ticket_types[0].id)}

    codes = all_at_once(app, [
        lambda client, n=n: client.post(url, data=data,
                                        environ_base={"REMOTE_ADDR": client_address(n)})
        for n in range(50)
    ])

    assert codes == [200] * 50
    assert rows(Registration) == 1
    assert mail_to(VICTIM) == ["registration_confirmed"] * 3


def test_asking_for_the_link_again_from_fifty_clients_sends_three_emails_a_day(
    limits_on, client, make_statement, sign
):
    statement = make_statement(requires_confirmation=True)
    sign(statement, email=VICTIM)  # the confirmation link: one of the day's three
    page = f"/s/{statement.slug}/thanks"

    for number in range(50):
        client.environ_base["REMOTE_ADDR"] = client_address(number)
        assert client.submit(f"/s/{statement.slug}/resend", {"email": VICTIM},
                             page=page).status_code in (200, 302)
    send_due()

    assert mail_to(VICTIM) == ["signature_confirmation"] * 3
