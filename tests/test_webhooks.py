"""A partner's CRM is told, over signed webhooks, when people sign, withdraw, register and cancel.

A real HTTP server on a thread receives the deliveries and the tests verify each signature the
way docs/webhooks.md tells a receiver to.
"""
import hashlib
import hmac
import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from campaign.common.time import utcnow
from campaign.config import PROJECT_ROOT
from campaign.events import service as events
from campaign.events.models import Registration
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role
from campaign.signatures import service as signatures
from campaign.signatures.models import Signature
from campaign.webhooks.delivery import deliver_due
from campaign.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from campaign.webhooks.network import RefusedAddress, is_public, post
from campaign.webhooks.service import add_endpoint

SECRET = "whsec_test-secret-0123456789"


class Receiver:
    """A local HTTP server that answers each POST with `status` (and `body`, after `delay`)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status, self.body, self.delay = 200, b"ok", 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append({"headers": dict(self.headers),
                                          "body": self.rfile.read(length)})
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def settings(settings):
    settings.update(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True, WEBHOOK_REQUIRE_HTTPS=False,
                    WEBHOOK_TIMEOUT=2, WEBHOOK_RETRY_BASE_SECONDS=60)
    return settings


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def hook(app, receiver):
    def add(*events):
        endpoint, _secret = add_endpoint(receiver.url, list(events), secret=SECRET)
        return endpoint
    return add


def verified(request: dict, secret: str = SECRET) -> dict:
    """What docs/webhooks.md tells a receiver to do: recompute the HMAC over "t." + body."""
    fields = dict(part.split("=", 1) for part in request["headers"]["Campaign-Signature"].split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + request["body"],
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"]), "the signature does not verify"
    assert abs(time.time() - int(fields["t"])) < 300
    return json.loads(request["body"])


def test_a_confirmed_signature_reaches_the_crm_signed(hook, receiver, sign, make_statement):
    hook("signature.confirmed")
    statement = make_statement(requires_confirmation=False)
    sign(statement, name="Olena Kovalenko", email="olena@example.org")
    assert receiver.received == [], "nothing leaves before the worker runs"
    assert deliver_due().delivered == 1
    body = verified(receiver.received[0])
    signature = db.session.scalar(select(Signature))
    assert body["event"] == "signature.confirmed"
    assert body["_embedded"]["osdi:signature"]["identifiers"] == [f"campaign:signature-{signature.id}"]
    person = body["_embedded"]["osdi:person"]
    assert person["email_addresses"][0]["address"] == "olena@example.org"
    assert person["email_addresses"][0]["status"] == "unsubscribed", "she did not ask for updates"
    assert (person["given_name"], person["family_name"]) == ("Olena", "Kovalenko")
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.is_delivered and delivery.response_status == 200


def test_a_tampered_body_does_not_verify(hook, receiver, sign, make_statement):
    hook("signature.confirmed")
    sign(make_statement(requires_confirmation=False))
    deliver_due()
    request = dict(receiver.received[0], body=receiver.received[0]["body"].replace(b"Olena", b"Oleh"))
    with pytest.raises(AssertionError):
        verified(request)
    with pytest.raises(AssertionError):
        verified(receiver.received[0], secret="whsec_another-secret-123456")


def test_the_delivery_is_queued_in_the_transaction_of_the_change(hook, make_statement,
                                                                 make_signature):
    hook("signature.confirmed")
    signature = make_signature(make_statement(), status=signatures.SignatureStatus.pending)
    signatures.change_signature(signature, status=signatures.SignatureStatus.confirmed)
    assert db.session.scalars(select(WebhookDelivery)).all(), "queued with the change"
    db.session.rollback()
    assert db.session.scalars(select(WebhookDelivery)).all() == [], "and rolled back with it"
    signatures.confirm(db.session.get(Signature, signature.id))
    assert len(db.session.scalars(select(WebhookDelivery)).all()) == 1


def test_only_the_events_an_endpoint_asked_for_are_sent(hook, receiver, sign, make_statement,
                                                        emailed_link, client):
    hook("signature.withdrawn")
    statement = make_statement(requires_confirmation=False)
    sign(statement, email="ivan@example.org")
    assert deliver_due().delivered == 0
    client.submit(emailed_link("ivan@example.org", "withdraw"), page=emailed_link(
        "ivan@example.org", "withdraw"))
    assert deliver_due().delivered == 1
    body = verified(receiver.received[0])
    assert body["event"] == "signature.withdrawn"
    assert "email_addresses" not in body["_embedded"].get("osdi:person", {}), \
        "the withdrawn signature's personal data is erased before it is sent"


def test_registrations_cancellations_and_the_waiting_list(hook, receiver, make_event, register,
                                                          emailed_link):
    hook("registration.confirmed", "registration.cancelled", "registration.promoted")
    event = make_event(capacity=1)
    register(event, email="first@example.org")
    register(event, email="second@example.org")
    first = db.session.scalar(select(Registration).order_by(Registration.id))
    events.cancel_registration(first)
    deliver_due()
    got = [verified(request)["event"] for request in receiver.received]
    assert got == ["registration.confirmed", "registration.cancelled", "registration.promoted"]
    assert verified(receiver.received[2])["_embedded"]["osdi:attendance"]["status"] == "accepted"


def test_an_organizer_cancelling_an_event_tells_the_crm_each_registrant_is_not_attending(
        client, logged_in, hook, receiver, make_event, register, emailed_link):
    hook("registration.cancelled")
    event = make_event(capacity=1)
    for email in ("placed@example.org", "waiting@example.org", "left@example.org"):
        register(event, email=email)
    cancel = emailed_link("left@example.org", "r") + "/cancel"
    client.submit(cancel, page=cancel)
    deliver_due()
    [own] = [verified(request) for request in receiver.received]
    receiver.received.clear()
    registrations = {registration.email: registration.id
                     for registration in db.session.scalars(select(Registration))}
    assert own["_embedded"]["osdi:attendance"]["identifiers"] == [
        f"campaign:attendance-{registrations['left@example.org']}"]

    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}"
    client.submit(f"{page}/cancel", page=page)
    assert deliver_due().delivered == 2, "one each for the two still registered, none again"
    bodies = [verified(request) for request in receiver.received]
    told = {body["_embedded"]["osdi:attendance"]["identifiers"][0]: body for body in bodies}
    assert sorted(told) == sorted(f"campaign:attendance-{registrations[email]}"
                                  for email in ("placed@example.org", "waiting@example.org"))
    for body in bodies:
        assert body["event"] == own["event"] == "registration.cancelled"
        attendance = body["_embedded"]["osdi:attendance"]
        assert attendance["status"] == "declined", "no longer attending"
        assert attendance.keys() == own["_embedded"]["osdi:attendance"].keys()
        assert body["_embedded"].keys() == own["_embedded"].keys()
    assert {body["_embedded"]["osdi:person"]["email_addresses"][0]["address"]
            for body in bodies} == {"placed@example.org", "waiting@example.org"}


def test_cancelling_a_large_event_reads_the_endpoints_once(hook, make_event):
    from sqlalchemy import event as sql_event

    from campaign.events.models import EventStatus, RegistrationStatus

    hook("registration.cancelled")
    hook("registration.cancelled", "registration.confirmed")
    event = make_event()
    db.session.add_all(Registration(
        event_id=event.id, ticket_type_id=event.ticket_types[0].id, name=f"Guest {number}",
        email=f"guest{number}@example.org", reference=f"BULK{number:04d}",
        status=RegistrationStatus.confirmed if number % 2 else RegistrationStatus.waitlisted)
        for number in range(60))
    db.session.commit()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    sql_event.listen(engine, "before_cursor_execute", seen)
    try:
        events.set_status(event, EventStatus.cancelled)
    finally:
        sql_event.remove(engine, "before_cursor_execute", seen)
    assert len(db.session.scalars(select(WebhookDelivery)).all()) == 120, "each one, each endpoint"
    assert len([s for s in statements if "FROM webhook_endpoints" in s]) == 1
    assert len([s for s in statements if "INTO webhook_deliveries" in s]) == 1


def test_someone_unsubscribing_from_updates_reaches_the_crm(client, hook, receiver, sign,
                                                           make_statement):
    from campaign.supporters.models import Supporter
    from campaign.supporters.service import unsubscribe_url

    hook("person.unsubscribed")
    sign(make_statement(requires_confirmation=False), email="Olena@Example.org",
         email_updates="y")
    supporter = db.session.scalar(select(Supporter))
    client.post(unsubscribe_url(supporter.id).removeprefix("http://localhost"))
    deliver_due()
    [delivery] = receiver.received
    body = verified(delivery)
    assert body["event"] == "person.unsubscribed"
    assert body["_embedded"]["osdi:person"]["email_addresses"][0]["status"] == "unsubscribed"


def test_a_failing_endpoint_is_retried_later_and_then_switched_off(
        app, hook, receiver, sign, make_statement, make_organizer):
    app.config.update(WEBHOOK_MAX_ATTEMPTS=2, WEBHOOK_DISABLE_AFTER=3)
    owner = make_organizer(Role.owner, email="owner@example.org")
    endpoint = hook("signature.confirmed")
    receiver.status, receiver.body = 500, b"database on fire"
    statement = make_statement(requires_confirmation=False)
    sign(statement, email="a@example.org")
    assert deliver_due().retrying == 1
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.response_status) == \
        (DeliveryStatus.pending, 1, 500)
    assert "database on fire" in delivery.last_error
    assert delivery.next_attempt_at > utcnow() + timedelta(seconds=50), "it backs off"
    assert deliver_due().delivered == 0, "not due yet"
    later = utcnow() + timedelta(minutes=2)
    assert deliver_due(later).failed == 1
    db.session.refresh(delivery)
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 2
    sign(statement, email="b@example.org")
    deliver_due(later)
    db.session.refresh(endpoint)
    assert not endpoint.active, "three failures in a row switch it off"
    assert "HTTP 500" in endpoint.disabled_reason
    warned = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "webhook_disabled")).all()
    assert [message.to for message in warned] == [owner.email]
    sign(statement, email="c@example.org")
    assert deliver_due(later + timedelta(days=1)).retrying == 0, "nothing goes to it while off"


def test_refused_addresses_and_oversized_or_slow_answers(app, hook, receiver, sign,
                                                         make_statement):
    hook("signature.confirmed")
    statement = make_statement(requires_confirmation=False)
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    sign(statement, email="a@example.org")
    deliver_due()
    assert receiver.received == [], "the loopback address is refused at connection time"
    delivery = db.session.scalar(select(WebhookDelivery))
    assert "private address" in delivery.last_error
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    app.config["WEBHOOK_MAX_RESPONSE_BYTES"] = 1000
    receiver.body = b"x" * 5000
    deliver_due(utcnow() + timedelta(minutes=5))
    db.session.refresh(delivery)
    assert "larger than 1000 bytes" in delivery.last_error
    receiver.body, receiver.delay = b"ok", 3
    app.config["WEBHOOK_TIMEOUT"] = 1
    deliver_due(utcnow() + timedelta(minutes=30))
    db.session.refresh(delivery)
    assert "timed out" in delivery.last_error.lower()
    assert not delivery.is_delivered


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False),
    ("93.184.216.34", True), ("2606:4700::1111", True),
])
def test_only_public_addresses_are_reached(address, public):
    assert is_public(address) is public


def test_a_name_that_resolves_to_a_private_address_is_refused_at_connection(receiver):
    url = receiver.url.replace("127.0.0.1", "localhost")
    with pytest.raises(RefusedAddress):
        post(url, b"{}", {}, timeout=2, max_bytes=100)
    assert receiver.received == []
    assert post(url, b"{}", {}, timeout=2, max_bytes=100, allow_private=True).status == 200


def test_an_owner_adds_a_webhook_reads_its_log_and_sends_again(client, logged_in, receiver,
                                                               sign, make_statement):
    logged_in(Role.owner)
    page = client.get("/dashboard/webhooks")
    assert page.status_code == 200
    response = client.submit("/dashboard/webhooks", {
        "url": receiver.url, "events": ["signature.confirmed", "signature.withdrawn"],
    }, page="/dashboard/webhooks")
    assert response.status_code == 200
    secret = re.search(r'id="new-webhook-secret">([^<]+)<', response.get_data(as_text=True))[1]
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret == secret
    sign(make_statement(requires_confirmation=False))
    deliver_due()
    verified(receiver.received[0], secret=secret)
    log = client.get(f"/dashboard/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "signature.confirmed" in log and "Delivered" in log
    delivery = db.session.scalar(select(WebhookDelivery))
    resent = client.submit(f"/dashboard/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend",
                           page=f"/dashboard/webhooks/{endpoint.id}")
    assert resent.status_code == 303
    deliver_due()
    assert len(receiver.received) == 2
    assert verified(receiver.received[1], secret=secret)["id"] == f"delivery-{delivery.id}"


@pytest.mark.parametrize("url, events, message", [
    ("ftp://crm.example.org/hooks", ["signature.confirmed"], "HTTPS"),
    ("https://user:pw@crm.example.org/", ["signature.confirmed"], "HTTPS"),
    ("https://crm.example.org:99999/", ["signature.confirmed"], "full address"),
    ("https://crm.example.org/\x00", ["signature.confirmed"], "HTTPS"),
    ("https://crm.example.org/" + "a" * 600, ["signature.confirmed"], "characters"),
    ("https://crm.example.org/", [], "Choose"),
    ("https://crm.example.org/", ["signature.everything"], "valid choice"),
])
def test_bad_webhooks_are_refused_with_a_reason(client, logged_in, url, events, message):
    logged_in(Role.owner)
    response = client.submit("/dashboard/webhooks", {"url": url, "events": events},
                             page="/dashboard/webhooks")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_command_line_adds_a_webhook_and_delivers(app, runner, receiver, sign,
                                                      make_statement):
    result = runner.invoke(args=["webhooks", "add", receiver.url, "--events",
                                 "signature.confirmed,registration.confirmed"])
    assert result.exit_code == 0, result.output
    secret = re.search(r"not shown again\): (\S+)", result.output)[1]
    sign(make_statement(requires_confirmation=False))
    result = runner.invoke(args=["webhooks", "deliver"])
    assert "Delivered 1" in result.output
    verified(receiver.received[0], secret=secret)
    refused = runner.invoke(args=["webhooks", "add", receiver.url, "--events", "everything"])
    assert refused.exit_code != 0 and "Choose" in refused.output
    app.config["WEBHOOK_REQUIRE_HTTPS"] = True
    refused = runner.invoke(args=["webhooks", "add", receiver.url, "--events",
                                  "signature.confirmed"])
    assert refused.exit_code != 0 and "HTTPS" in refused.output


def test_the_documented_verification_snippet_verifies_a_real_delivery(hook, receiver, sign,
                                                                      make_statement):
    hook("signature.confirmed")
    sign(make_statement(requires_confirmation=False))
    deliver_due()
    docs = (PROJECT_ROOT / "docs" / "webhooks.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", docs, re.S)[1]
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    request = receiver.received[0]
    assert namespace["verify"](SECRET, request["headers"]["Campaign-Signature"], request["body"])
    assert not namespace["verify"](SECRET, request["headers"]["Campaign-Signature"],
                                   request["body"] + b" ")


def test_two_workers_at_once_never_deliver_one_delivery_twice(app, hook, receiver):
    app.config["WEBHOOK_BATCH_SIZE"] = 3
    endpoint = hook("signature.confirmed")
    receiver.delay = 0.01
    db.session.add_all(WebhookDelivery(endpoint_id=endpoint.id, event="signature.confirmed",
                                       resource=f"signature:{number}") for number in range(30))
    db.session.commit()
    start = threading.Barrier(2)
    errors = []

    def worker():
        with app.app_context():
            start.wait()
            try:
                deliver_due()
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = [verified(request)["id"] for request in receiver.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert all(d.is_delivered and d.attempts == 1
               for d in db.session.scalars(select(WebhookDelivery)))
