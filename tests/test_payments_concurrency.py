"""Fifty people racing for the last paid place: held places count against capacity, so the
event is never oversold while people pay. Each person is a thread with its own client and
database connection, released together (see test_registration_concurrency)."""
import pytest

from campaign.events.models import RegistrationStatus
from tests.fake_stripe import WEBHOOK_SECRET, FakeStripe
from tests.test_registration_concurrency import all_at_once, registration_request, statuses

SUPPORTER = {"name": "Supporter ticket", "price_minor": 2500, "currency": "GBP",
             "payment_methods": "stripe"}


@pytest.fixture
def settings(settings):
    fake = FakeStripe()
    # Fifty wait in turn for the event's lock on a shared two-core machine: the statement
    # timeout is raised so that waiting is not mistaken for failing; overselling is the point.
    settings.update(WTF_CSRF_ENABLED=False, DB_POOL_SIZE=60, DB_MAX_OVERFLOW=10,
                    DB_STATEMENT_TIMEOUT_MS=120_000,
                    STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    STRIPE_API_BASE=fake.url)
    yield settings
    fake.stop()


@pytest.mark.postgresql
def test_fifty_people_racing_for_the_last_paid_place_never_oversell(app, client, make_event):
    event = make_event(tickets=[SUPPORTER], capacity=3)
    for early in ("early1@example.org", "early2@example.org"):
        assert registration_request(event, early)(client).status_code == 200
    assert statuses(event) == {RegistrationStatus.awaiting_payment: 2}

    codes = all_at_once(app, [registration_request(event, f"racer{i}@example.org")
                              for i in range(50)])
    assert codes == [200] * 50
    assert statuses(event) == {RegistrationStatus.awaiting_payment: 3,
                               RegistrationStatus.waitlisted: 49}


@pytest.mark.postgresql
def test_pressing_pay_in_two_tabs_at_once_opens_one_checkout(app, client, make_event,
                                                             emailed_link):
    from sqlalchemy import func, select

    from campaign.extensions import db
    from campaign.payments.models import Payment

    event = make_event(tickets=[SUPPORTER])
    registration_request(event, "tabs@example.org")(client)
    pay_path = emailed_link("tabs@example.org", "r") + "/pay"
    codes = all_at_once(app, [lambda c: c.post(pay_path)] * 2)
    assert codes == [303, 303]
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1

