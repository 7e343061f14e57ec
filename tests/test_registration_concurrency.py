"""The last places and the waiting list hold when many people act at the same moment.

Each person is a thread with its own test client and database connection, all released
together by a barrier, going through the real registration and cancellation pages.
Marked for PostgreSQL, where requests truly run side by side; they pass on SQLite too
(which lets one writer in at a time) and run there as well.
"""
import threading
import uuid

import pytest
from sqlalchemy import func, select

from campaign.common.hashing import email_index
from campaign.events import service
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from tests.conftest import CampaignClient


@pytest.fixture
def settings(settings):
    """Every thread posts a real form; CSRF is left out here (it has its own tests) and the
    pool is large enough that no thread waits for a connection."""
    settings.update(WTF_CSRF_ENABLED=False, DB_POOL_SIZE=30, DB_MAX_OVERFLOW=10)
    return settings


def all_at_once(app, requests):
    """Run each `request(client)` in its own thread, released together; returns the status codes."""
    barrier = threading.Barrier(len(requests))
    codes = [None] * len(requests)
    errors = []

    def run(index, request):
        try:
            with app.app_context():
                client = CampaignClient(app, app.response_class, use_cookies=True)
                barrier.wait(timeout=30)
                codes[index] = request(client).status_code
                db.session.remove()
        except Exception as error:  # reported below, so a failure names its cause
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return codes


def registration_request(event, email, ticket=None):
    data = {"name": f"Person {email}", "email": email, "consent": "y",
            "ticket": str((ticket or event.ticket_types[0]).id)}
    return lambda client: client.post(f"/e/{event.slug}", data=data)


def statuses(event) -> dict[RegistrationStatus, int]:
    db.session.expire_all()
    return dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all())


@pytest.mark.postgresql
def test_twenty_people_racing_for_five_places_give_five_places_and_fifteen_waiting(app, make_event):
    event = make_event(capacity=5)
    emails = [f"racer{i}@example.org" for i in range(20)]
    codes = all_at_once(app, [registration_request(event, email) for email in emails])
    assert codes == [200] * 20
    counted = statuses(event)
    assert counted[RegistrationStatus.confirmed] == 5
    assert counted[RegistrationStatus.waitlisted] == 15
    waiting = db.session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.waitlisted)).all()
    assert sorted(service.waitlist_place(r) for r in waiting) == list(range(1, 16))
    assert len({r.reference for r in db.session.scalars(select(Registration))}) == 20


@pytest.mark.postgresql
def test_a_ticket_with_three_places_never_gives_a_fourth(app, make_event):
    event = make_event(tickets=[{"name": "Supporter", "price_minor": 1000, "capacity": 3},
                                {"name": "Free"}])
    supporter = event.ticket_types[0]
    requests = [registration_request(event, f"s{i}@example.org", supporter) for i in range(12)]
    all_at_once(app, requests)
    assert statuses(event) == {RegistrationStatus.confirmed: 3, RegistrationStatus.waitlisted: 9}


@pytest.mark.postgresql
def test_the_same_person_registering_many_times_at_once_is_registered_once(app, make_event):
    event = make_event()
    codes = all_at_once(app, [registration_request(event, "Twin@Example.org") for _ in range(10)])
    assert codes == [200] * 10
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


@pytest.mark.postgresql
def test_cancellations_at_once_promote_exactly_as_many_from_the_waiting_list_in_order(
    app, client, make_event
):
    event = make_event(capacity=5)
    for i in range(15):
        registration_request(event, f"p{i:02d}@example.org")(client)
    confirmed = db.session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.confirmed)).all()
    links = [service.registration_links(r)["cancel_url"].replace("http://localhost", "")
             for r in confirmed]
    codes = all_at_once(app, [lambda client, link=link: client.post(link) for link in links])
    assert codes == [200] * 5
    assert statuses(event) == {RegistrationStatus.cancelled: 5, RegistrationStatus.confirmed: 5,
                               RegistrationStatus.waitlisted: 5}
    promoted = sorted(db.session.scalars(select(Registration.email).where(
        Registration.status == RegistrationStatus.confirmed)))
    assert promoted == [f"p{i:02d}@example.org" for i in range(5, 10)]
    emails = db.session.scalars(select(OutboxMessage.to).where(
        OutboxMessage.kind == "registration_promoted")).all()
    assert sorted(emails) == promoted


@pytest.mark.postgresql
def test_cancellations_and_new_registrations_at_once_never_overfill(app, client, make_event):
    event = make_event(capacity=5)
    for i in range(8):
        registration_request(event, f"early{i}@example.org")(client)
    confirmed = db.session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.confirmed)).all()
    cancels = [lambda client, link=service.registration_links(r)["cancel_url"]:
               client.post(link.replace("http://localhost", "")) for r in confirmed[:3]]
    newcomers = [registration_request(event, f"new-{uuid.uuid4().hex[:6]}@example.org")
                 for _ in range(10)]
    all_at_once(app, cancels + newcomers)
    counted = statuses(event)
    assert counted[RegistrationStatus.confirmed] == 5
    assert counted[RegistrationStatus.cancelled] == 3
    assert counted[RegistrationStatus.waitlisted] == 10
    first_waiting = db.session.scalars(select(Registration).where(Registration.email_index.in_(
        [email_index(f"early{i}@example.org") for i in (5, 6, 7)]))).all()
    assert all(r.status is RegistrationStatus.confirmed for r in first_waiting)
