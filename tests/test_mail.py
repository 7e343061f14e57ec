"""Mail leaves through the outbox: real SMTP delivery, outages of the mail server and of the
database, backoff, concurrent senders, the dashboard page."""
import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from campaign.mail.service import message_bodies
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.mail.sender import claim_due, send_due
from campaign.mail.service import enqueue
from campaign.organizers.models import Role
from campaign.signatures.models import Signature, SignatureStatus

PROJECT = Path(__file__).resolve().parent.parent


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; it can refuse addresses and be slow."""

    def __init__(self):
        self.received = []
        self.refused = set()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server on a free local port, which a test can stop and start again."""

    def __init__(self):
        self.mailbox = Mailbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None

    def start(self, **options):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self):
        return self.mailbox.received


def queue(to="signer@example.org", subject="Please confirm your signature"):
    assert enqueue("test", to, subject, "mail_test")
    db.session.commit()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def outbox():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_message_arrives_over_smtp_as_plain_text_and_html(smtp_server, app, runner):
    app.config["CAMPAIGN_NAME"] = "Ukraine Solidarity Campaign"
    queue("olena@example.org", "Please confirm your signature")

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    [received] = smtp_server.received
    assert received["To"] == "olena@example.org"
    assert received["From"].addresses[0].display_name == "Ukraine Solidarity Campaign"
    assert received["From"].addresses[0].addr_spec == app.config["MAIL_DEFAULT_SENDER"]
    assert received["Subject"] == "Please confirm your signature"
    assert received["Message-ID"] and received["Date"]
    assert received.get_content_type() == "multipart/alternative"
    assert "outgoing mail works" in received.get_body(("plain",)).get_content()
    assert "<p>" in received.get_body(("html",)).get_content()
    [message] = outbox()
    assert message.status is OutboxStatus.sent and message.sent_at is not None
    assert message.attempts == 1


def test_a_message_is_kept_with_what_it_is_about_and_dropped_with_it(app):
    enqueue("test", "kept@example.org", "Kept", "mail_test")
    db.session.commit()
    enqueue("test", "dropped@example.org", "Dropped", "mail_test")
    db.session.rollback()

    assert [m.to for m in outbox()] == ["kept@example.org"]


def test_messages_wait_while_the_mail_server_is_down_and_arrive_when_it_is_back(smtp_server, app):
    queue("first@example.org")
    assert send_due().sent == 1

    smtp_server.stop()
    queue("second@example.org")
    queue("third@example.org")
    report = send_due()

    assert report.sent == 0 and report.retrying == 2
    waiting = outbox()[1:]
    for message in waiting:
        assert message.status is OutboxStatus.pending
        assert message.attempts == 1
        assert "Connection refused" in message.last_error or "refused" in message.last_error.lower()
        assert message.next_attempt_at > utcnow()
    assert send_due().sent == 0, "nothing is due again before its retry time"

    smtp_server.start()
    report = send_due(now=utcnow() + timedelta(hours=1))

    assert report.sent == 2
    assert sorted(m["To"] for m in smtp_server.received) == [
        "first@example.org", "second@example.org", "third@example.org"]
    assert all(m.status is OutboxStatus.sent for m in outbox())


def test_a_server_that_stops_in_the_middle_of_a_batch_loses_nothing(smtp_server, app):
    for number in range(4):
        queue(f"person{number}@example.org")
    original = smtp_server.mailbox.handle_DATA

    async def stop_after_the_first(server, session, envelope):
        reply = await original(server, session, envelope)
        threading.Thread(target=smtp_server.stop).start()
        return reply

    smtp_server.mailbox.handle_DATA = stop_after_the_first
    first_round = send_due()
    smtp_server.mailbox.handle_DATA = original
    while smtp_server.controller is not None:
        time.sleep(0.01)

    assert first_round.sent >= 1 and first_round.retrying == 4 - first_round.sent
    assert [m.status for m in outbox()].count(OutboxStatus.pending) == first_round.retrying

    smtp_server.start()
    send_due(now=utcnow() + timedelta(hours=1))

    assert sorted(m["To"] for m in smtp_server.received) == [
        f"person{number}@example.org" for number in range(4)]
    assert all(m.status is OutboxStatus.sent for m in outbox())


@contextmanager
def database_away_at(commit: int):
    """The sender's `commit`-th commit (counting from 1: the claim, then for each message its
    "sending" and its outcome) fails as when the database server stops: the connection is
    gone, and what it had not committed with it."""
    session = db.session()
    commits = 0

    def stop_here(_session):
        nonlocal commits
        commits += 1
        if commits == commit:
            _session.connection().invalidate()
            raise OperationalError("COMMIT", {}, ConnectionError("the database server stopped"))

    event.listen(session, "before_commit", stop_here)
    try:
        yield
    finally:
        event.remove(session, "before_commit", stop_here)


@pytest.mark.parametrize("commit", [
    pytest.param(4, id="before the second message is handed over"),
    pytest.param(5, id="just after the mail server took the second message"),
])
def test_when_the_database_stops_mid_batch_each_message_arrives_exactly_once(
    smtp_server, app, commit
):
    for number in range(4):
        queue(f"person{number}@example.org")
    start = utcnow()

    with database_away_at(commit), pytest.raises(OperationalError):
        send_due(now=start)
    db.session.rollback()  # as `mail send --loop` does after a failed round
    send_due(now=start)  # the database is back: nothing waits for the claim to run out

    everyone = [f"person{number}@example.org" for number in range(4)]
    assert sorted(m["To"] for m in smtp_server.received) == everyone
    send_due(now=start + timedelta(hours=1))  # long after any claim has run out
    assert sorted(m["To"] for m in smtp_server.received) == everyone
    assert len({m["Message-ID"] for m in smtp_server.received}) == 4
    assert [(m.status, m.attempts) for m in outbox()] == [(OutboxStatus.sent, 1)] * 4


@pytest.mark.postgresql
def test_a_database_restart_while_a_message_is_with_the_mail_server_repeats_nothing(
    smtp_server, app, on_postgresql
):
    if not on_postgresql:
        pytest.skip("ending the sender's database connections needs PostgreSQL")
    for number in range(4):
        queue(f"person{number}@example.org")
    outsider = create_engine(db.engine.url, poolclass=NullPool)
    original = smtp_server.mailbox.handle_DATA

    async def restart_the_database_after_the_second(server, session, envelope):
        reply = await original(server, session, envelope)
        if len(smtp_server.received) == 2:
            with outsider.connect() as connection:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        return reply

    smtp_server.mailbox.handle_DATA = restart_the_database_after_the_second
    start = utcnow()
    try:
        send_due(now=start)
    except OperationalError:
        db.session.rollback()
    send_due(now=start)
    send_due(now=start + timedelta(hours=1))
    outsider.dispose()

    assert sorted(m["To"] for m in smtp_server.received) == [
        f"person{number}@example.org" for number in range(4)]
    assert [m.status for m in outbox()] == [OutboxStatus.sent] * 4


def test_a_message_whose_sender_died_while_handing_it_over_is_failed_not_sent_twice(
    smtp_server, app
):
    class DiesWhileSending:
        @contextmanager
        def session(self):
            yield self

        def send(self, message):
            raise SystemExit("the sender's process was killed")

    queue("olena@example.org")
    start = utcnow()
    with pytest.raises(SystemExit):
        send_due(now=start, backend=DiesWhileSending())

    report = send_due(now=start + timedelta(hours=1))

    assert report.sent == 0 and smtp_server.received == []
    [message] = outbox()
    assert message.status is OutboxStatus.failed
    assert "may have been delivered" in message.last_error


def test_retries_back_off_exponentially_and_fail_after_the_last_attempt(smtp_server, app):
    smtp_server.stop()
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=60)
    queue()
    start = utcnow()

    send_due(now=start)
    [message] = outbox()
    assert (message.attempts, message.next_attempt_at) == (1, start + timedelta(seconds=60))

    assert send_due(now=start + timedelta(seconds=59)).retrying == 0
    send_due(now=start + timedelta(seconds=60))
    [message] = outbox()
    assert (message.attempts, message.next_attempt_at) == (2, start + timedelta(seconds=180))

    report = send_due(now=start + timedelta(seconds=180))
    [message] = outbox()
    assert report.failed == 1
    assert message.status is OutboxStatus.failed and message.attempts == 3
    assert message.last_error

    smtp_server.start()
    assert send_due(now=start + timedelta(days=1)).sent == 0, "a failed message waits for a person"


def test_an_address_the_server_refuses_for_good_fails_at_once(smtp_server, app):
    smtp_server.mailbox.refused.add("nobody@example.org")
    queue("nobody@example.org")
    queue("somebody@example.org")

    report = send_due()

    assert (report.sent, report.failed) == (1, 1)
    refused, delivered = outbox()
    assert refused.status is OutboxStatus.failed and refused.attempts == 1
    assert "550" in refused.last_error
    assert delivered.status is OutboxStatus.sent


def test_an_address_only_smtputf8_can_carry_fails_at_once_on_a_server_without_it(smtp_server, app):
    smtp_server.stop()
    smtp_server.start(enable_SMTPUTF8=False)
    queue("имя@example.org")
    queue("a@xn--80ak6aa92e.com")

    report = send_due()

    assert (report.sent, report.retrying, report.failed) == (1, 0, 1)
    unicode_local_part, punycode_domain = outbox()
    assert unicode_local_part.status is OutboxStatus.failed and unicode_local_part.attempts == 1
    assert "SMTPUTF8" in unicode_local_part.last_error
    assert punycode_domain.status is OutboxStatus.sent
    assert [m["To"] for m in smtp_server.received] == ["a@xn--80ak6aa92e.com"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_mail_server_login_comes_from_the_settings(smtp_server, app):
    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"mailer", b"s3cret"),
                          handled=False)

    smtp_server.stop()
    smtp_server.start(authenticator=authenticator, auth_required=True, auth_require_tls=False,
                      auth_exclude_mechanism=["LOGIN"])
    app.config.update(MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")
    queue("member@example.org")

    assert send_due().retrying == 1
    assert "SMTPAuthenticationError" in outbox()[0].last_error

    app.config["MAIL_PASSWORD"] = "s3cret"
    assert send_due(now=utcnow() + timedelta(hours=1)).sent == 1
    assert [m["To"] for m in smtp_server.received] == ["member@example.org"]


def test_two_senders_at_once_never_send_a_message_twice(smtp_server, app):
    app.config["MAIL_BATCH_SIZE"] = 3
    smtp_server.mailbox.delay = 0.01
    for number in range(30):
        queue(f"person{number}@example.org")
    start = threading.Barrier(2)
    errors = []

    def sender():
        with app.app_context():
            start.wait()
            try:
                send_due()
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    addresses = [m["To"] for m in smtp_server.received]
    assert len(addresses) == 30 and len(set(addresses)) == 30
    assert all(m.status is OutboxStatus.sent and m.attempts == 1 for m in outbox())


def test_a_sender_takes_one_batch_at_a_time_and_leaves_the_rest(app):
    app.config["MAIL_BATCH_SIZE"] = 3
    for number in range(7):
        queue(f"person{number}@example.org")

    first, second = claim_due(utcnow()), claim_due(utcnow())

    assert [m.to for m in first] == [f"person{n}@example.org" for n in range(3)]
    assert [m.to for m in second] == [f"person{n}@example.org" for n in range(3, 6)]
    assert [m.attempts for m in outbox()] == [1] * 6 + [0]


def test_a_busy_sender_is_told_after_each_batch_how_long_it_took(app):
    """`mail send --loop` rests after each batch (three times as long with its default
    `--share` of a quarter), so that the mail of a spike goes out beside the pages rather than
    before them."""
    app.config["MAIL_BATCH_SIZE"] = 3
    for number in range(7):
        queue(f"person{number}@example.org")
    rests = []

    report = send_due(rest=rests.append)

    assert report.sent == 7
    assert len(rests) == 3 and all(seconds > 0 for seconds in rests)


def test_the_senders_share_of_its_time_must_be_between_a_twentieth_and_all(runner):
    result = runner.invoke(args=["mail", "send", "--loop", "--share", "0"])
    assert result.exit_code == 2
    assert "--share" in result.output


def test_mail_is_sent_in_the_background_after_the_request(
    smtp_server, mail_in_background, client, logged_in
):
    logged_in(Role.editor)
    message = queue("waiting@example.org")
    message.status = OutboxStatus.failed
    db.session.commit()

    response = client.submit(f"/dashboard/mail/{message.id}/retry",
                             page="/dashboard/mail?status=failed")

    assert response.status_code == 303
    deadline = time.monotonic() + 10
    while outbox()[0].status is not OutboxStatus.sent and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
    assert [m["To"] for m in smtp_server.received] == ["waiting@example.org"]
    assert outbox()[0].status is OutboxStatus.sent


def test_without_a_mail_server_messages_are_printed_to_the_console(app, runner):
    queue("console@example.org", "Your ticket")

    result = runner.invoke(args=["mail", "send"])

    assert "To: console@example.org" in result.output
    assert "Subject: Your ticket" in result.output
    assert "outgoing mail works" in result.output
    assert outbox()[0].status is OutboxStatus.sent


def test_mail_test_sends_a_message_to_check_the_settings(smtp_server, runner):
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    refused = runner.invoke(args=["mail", "test", "not an address"])

    assert result.exit_code == 0 and "Sent 1" in result.output
    assert [m["To"] for m in smtp_server.received] == ["ops@example.org"]
    assert refused.exit_code != 0 and "ADDRESS" in refused.output


def test_organizers_see_waiting_and_failed_mail_and_editors_retry(
    app, client, make_organizer, login
):
    sent = queue("sent@example.org")
    waiting = queue("waiting@example.org")
    failed = queue("failed@example.org")
    sent.status = OutboxStatus.sent
    waiting.attempts, waiting.last_error = 2, "SMTPServerDisconnected: down for maintenance"
    failed.status, failed.attempts = OutboxStatus.failed, 10
    failed.last_error = "ConnectionRefusedError: refused"
    db.session.commit()
    viewer = make_organizer(Role.viewer)
    login(viewer)

    page = client.get("/dashboard/mail")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "waiting@example.org" in html and "down for maintenance" in html
    assert "failed@example.org" in html and "ConnectionRefusedError: refused" in html
    assert "sent@example.org" not in html
    assert "sent@example.org" in client.get("/dashboard/mail?status=sent").get_data(as_text=True)
    assert client.get("/dashboard/mail?status=everything").status_code == 400
    assert "Retry" not in html
    forbidden = client.submit(f"/dashboard/mail/{failed.id}/retry", page="/dashboard/mail")
    assert forbidden.status_code == 403

    client.submit("/logout", page="/dashboard/mail")
    login(make_organizer(Role.editor))
    assert "Retry" in client.get("/dashboard/mail?status=failed").get_data(as_text=True)
    retried = client.submit(f"/dashboard/mail/{failed.id}/retry", page="/dashboard/mail",
                            follow_redirects=True)

    assert "will be sent again" in retried.get_data(as_text=True)
    message = db.session.get(OutboxMessage, failed.id)
    db.session.refresh(message)
    assert message.status is OutboxStatus.pending and message.attempts == 0
    not_failed = client.submit(f"/dashboard/mail/{sent.id}/retry", page="/dashboard/mail")
    assert not_failed.status_code == 303
    assert db.session.get(OutboxMessage, sent.id).status is OutboxStatus.sent
    assert client.submit("/dashboard/mail/999999/retry", page="/dashboard/mail").status_code == 404


def test_sent_messages_are_listed_most_recently_sent_first(client, logged_in):
    now = utcnow()
    for to, minutes_ago in (("first@example.org", 30), ("latest@example.org", 1),
                            ("middle@example.org", 10)):
        message = queue(to)
        message.status, message.sent_at = OutboxStatus.sent, now - timedelta(minutes=minutes_ago)
    db.session.commit()
    logged_in(Role.viewer)

    html = client.get("/dashboard/mail?status=sent").get_data(as_text=True)

    places = [html.index(to) for to in ("latest@example.org", "middle@example.org",
                                        "first@example.org")]
    assert places == sorted(places)


def test_an_owner_follows_a_confirmation_link_from_the_outbox_without_the_console(
    app, client, make_statement, sign, make_organizer, login
):
    statement = make_statement(requires_confirmation=True)
    sign(statement, name="Olena Kovalenko", email="olena@example.org")
    send_due()
    login(make_organizer(Role.owner))

    sent = client.get("/dashboard/mail?status=sent").get_data(as_text=True)
    opened = re.search(r'href="(/dashboard/mail/\d+)"', sent).group(1)
    html = client.get(opened).get_data(as_text=True)

    assert "olena@example.org" in html and "What it says" in html
    link = re.search(r'<a href="http://localhost(/s/[^"]+/confirm/[^"]+)"', html).group(1)
    client.submit(link, page=link)
    db.session.expire_all()
    assert db.session.scalar(select(Signature.status)) is SignatureStatus.confirmed


def test_with_a_mail_server_a_message_is_opened_but_its_text_is_not_shown(
    smtp_server, client, logged_in
):
    message = queue("private@example.org")
    send_due()
    logged_in(Role.owner)

    html = client.get(f"/dashboard/mail/{message.id}").get_data(as_text=True)

    assert "private@example.org" in html and "Please confirm your signature" in html
    assert "is not shown here" in html
    assert html.count(" UTC") == 2 and "UTC UTC" not in html, "written and sent, each said once"
    assert "outgoing mail works" in message_bodies(message)[0] and "outgoing mail works" not in html


def test_only_owners_open_a_message(client, logged_in):
    message = queue("private@example.org")
    logged_in(Role.editor)
    assert client.get(f"/dashboard/mail/{message.id}").status_code == 403
    assert "/dashboard/mail/" not in client.get("/dashboard/mail").get_data(as_text=True)


def test_the_outbox_page_needs_a_login(client):
    response = client.get("/dashboard/mail")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _niceness(pid: int) -> int:
    """The process's nice value, field 19 of /proc/PID/stat (after the parenthesised name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[16])


@pytest.mark.parametrize("asked, lowered_by", [([], 10), (["--nice", "0"], 0)])
def test_the_production_sender_runs_below_the_web_servers_cpu_priority(tmp_path, asked,
                                                                       lowered_by):
    """A large update goes out beside the web server on the same host: the pages come first."""
    command = [sys.executable, "-m", "flask", "--app", "app", "mail", "send", "--loop",
               "--interval", "60", *asked]
    environment = {**os.environ, "INSTANCE_PATH": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'sender.db'}"}
    sender = subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert sender.stdout.readline().startswith("Sending mail every 60s")
        assert _niceness(sender.pid) == os.nice(0) + lowered_by
    finally:
        sender.terminate()
        sender.wait(timeout=30)
