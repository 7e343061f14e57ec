"""Delivering the outbox: claim due messages, send them, record the outcome.

Claiming picks the due rows, then UPDATEs them to push next_attempt_at past a lease, count
the attempt and set a fresh claim token, guarded by `status = pending AND next_attempt_at
<= now`, and commits; so however many senders run (threads, workers, hosts) a message is
claimed by one of them. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so
senders pass each other instead of queueing (a separate statement, not an `IN (subquery)`:
PostgreSQL may re-run such a subquery and, skipping the rows it has just locked, claim past
the batch size). SQLite has a single writer, so the guarded UPDATE alone decides.

Each message is then committed as "sending" under the claim token before it is handed to
the mail server, and its outcome ("sent", or a failure) is committed after; a sending
message is claimed by no one, so nothing can send it twice. A batch's writes go over one
connection held for the batch: a message costs its statements and one commit, not a
check-out from the pool as well. If the database goes away in
between, the sender keeps what it could not write (`_Unrecorded`) and writes it first
thing when the database is back: the outcome of the message it had handed over, and the
release of the messages it had claimed but not handed over, due again at once. A message
left sending past its lease (its sender died with it in hand) may or may not have been
delivered: it is failed, saying so, for a person to decide. A message still pending when
its lease runs out (its sender died before handing it over) is simply claimed again.

Each batch starts with `delivery_round`, so a domain that left work for the sender (the
signatures' requests for a confirmation link, looked up here and not in the request that
asked; a batch of an update's recipients) writes those messages first.

After a failure the message waits MAIL_RETRY_BASE_SECONDS * 2^(attempts-1) (capped at
MAIL_RETRY_MAX_SECONDS); after MAIL_MAX_ATTEMPTS, or a permanent refusal, it is failed
and shown in the dashboard for an editor to retry.
"""
import smtplib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from blinker import Namespace
from flask import Flask, current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from campaign.common.time import backoff_delay, utcnow
from campaign.extensions import db, passing_locked_rows
from campaign.mail.backends import BackendUnavailable, backend_for
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.mail.service import message_bodies

_ERROR_LENGTH = 2000
_LEFT_SENDING = ("The sender stopped while handing this message to the mail server, so it "
                 "may have been delivered: retry it only if it was not.")

#: Sent with the app before each batch is claimed; a receiver returns how many messages it
#: wrote (bulk mail is written a batch at a time), and the round goes on while any does.
delivery_round = Namespace().signal("delivery-round")
#: Sent with the app, `to_index` (the address's blind index) and `connection` when the mail
#: server refuses a message for good (5xx): a receiver writes on that connection, inside the
#: transaction that records the failure.
permanently_refused = Namespace().signal("permanently-refused")


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


_outbox = OutboxMessage.__table__
#: One message's row, only while the claim that took it still holds. Without `values()`, Core
#: sets the columns named by the other parameters: one statement serves every write, compiled
#: once for each set of columns and cached, with no ORM work for each message.
_WRITE_UNDER_CLAIM = update(_outbox).where(_outbox.c.id == bindparam("claimed_id"),
                                           _outbox.c.claim_token == bindparam("claimed_token"))


@dataclass(frozen=True)
class _Write:
    """Values for one message (plain values, by column), written only while the claim that
    took it still holds."""

    message_id: int
    claim_token: str
    values: dict

    def execute(self, connection) -> int:
        return connection.execute(_WRITE_UNDER_CLAIM, {
            "claimed_id": self.message_id, "claimed_token": self.claim_token, **self.values,
        }).rowcount


class _Unrecorded:
    """What this process could not write about the messages it claimed while the database was
    away. Only this sender knows what it handed over, so it is kept here, in memory."""

    def __init__(self):
        self._lock = threading.Lock()
        self._writes: list[_Write] = []

    def keep(self, writes: list[_Write]) -> None:
        with self._lock:
            self._writes.extend(writes)

    def write(self) -> None:
        """Write and commit what was kept; if the database is still away, keep it and raise."""
        with self._lock:
            writes, self._writes = self._writes, []
        if not writes:
            return
        try:
            with db.engine.connect() as connection:
                for write in writes:
                    write.execute(connection)
                connection.commit()
        except SQLAlchemyError:
            self.keep(writes)
            raise


def _unrecorded() -> _Unrecorded:
    return current_app.extensions.setdefault("mail_unrecorded", _Unrecorded())


def send_due(now: datetime | None = None, backend=None,
             rest: Callable[[float], None] | None = None) -> DeliveryReport:
    """Send every message due at `now` (default: the current time), batch by batch.

    First writes what an earlier round could not (the database was away); a database error
    is raised, after keeping what it stopped from being written. `rest`, when given, is
    called after each batch with the seconds that batch took (`mail send --loop --share`).
    """
    backend = backend or backend_for(current_app.config)
    _unrecorded().write()
    report = DeliveryReport()
    while True:
        started = time.monotonic()
        written = sum(result or 0 for _receiver, result in
                      delivery_round.send(current_app._get_current_object()))
        clock = now or utcnow()
        batch = claim_due(clock)
        if not batch and not written:
            return report
        if batch:
            report.add(_deliver(batch, backend, clock))
        if rest is not None:
            rest(time.monotonic() - started)


def claim_due(now: datetime) -> list[OutboxMessage]:
    """Take up to MAIL_BATCH_SIZE messages due at `now` for this sender alone; commits the claim."""
    config = current_app.config
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.sending, OutboxMessage.next_attempt_at <= now)
        .values(status=OutboxStatus.failed, last_error=_LEFT_SENDING)
        .execution_options(synchronize_session=False)
    )
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(config["MAIL_BATCH_SIZE"])
    )
    candidate_ids = db.session.scalars(passing_locked_rows(due)).all()
    if not candidate_ids:
        db.session.commit()
        return []
    claimed_ids = db.session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(candidate_ids),
            OutboxMessage.status == OutboxStatus.pending,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + timedelta(seconds=config["MAIL_CLAIM_SECONDS"]),
            claim_token=uuid.uuid4().hex,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not claimed_ids:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed_ids))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


@dataclass(frozen=True)
class _Claimed:
    """A claimed message as the sender needs it, read at once after claiming, so nothing about
    it has to be read again while the database may be away."""

    message_id: int
    claim_token: str
    attempts: int
    to_index: str
    mime: EmailMessage
    #: The bodies rendered here from what the message stored, written with "sending".
    rendered: dict

    @classmethod
    def of(cls, message: OutboxMessage) -> "_Claimed":
        rendered = {}
        if message.template:
            body_text, body_html = message_bodies(message)
            rendered = {"body_text": body_text, "body_html": body_html, "template": "",
                        "context": "", "locale": ""}
        mime = mime_message(message, **rendered)
        return cls(message.id, message.claim_token, message.attempts, message.to_index, mime,
                   rendered)

    def write(self, **values) -> _Write:
        return _Write(self.message_id, self.claim_token, values)


def _deliver(batch: list[OutboxMessage], backend, now: datetime) -> DeliveryReport:
    """Hand the batch to the mail server one message at a time, committing "sending" before
    and the outcome after each; see the module's notes for when the database goes away.

    One transaction writes a message's outcome and the next one's "sending", so a message
    costs one commit, and still at most one message is ever handed over and unrecorded."""
    report = DeliveryReport()
    not_handed_over = [_Claimed.of(message) for message in batch]
    db.session.rollback()  # the batch is read in full; its writes go over `connection`
    outcome = None
    try:
        with db.engine.connect() as connection:
            try:
                with backend.session() as session:
                    while not_handed_over:
                        if outcome is not None:
                            outcome.execute(connection)
                        claimed = not_handed_over[0]
                        taken = claimed.write(status=OutboxStatus.sending,
                                              **claimed.rendered).execute(connection)
                        connection.commit()
                        outcome = None
                        message = not_handed_over.pop(0)
                        if not taken:  # erased meanwhile, or its claim ran out: another has it
                            continue
                        outcome = _outcome(session, connection, message, now, report)
                    if outcome is not None:
                        outcome.execute(connection)
                        connection.commit()
                        outcome = None
            except BackendUnavailable as error:
                _write_all(connection, [_failure(connection, message, error, now, report)
                                        for message in not_handed_over])
    except SQLAlchemyError:
        _keep_for_later([outcome] if outcome else [], now, not_handed_over)
        raise
    return report


def _outcome(session, connection, message: _Claimed, now: datetime,
             report: DeliveryReport) -> _Write:
    try:
        session.send(message.mime)
    except Exception as error:  # one bad message must not hold up the rest
        return _failure(connection, message, error, now, report)
    report.sent += 1
    return message.write(status=OutboxStatus.sent, sent_at=now, last_error="")


def _failure(connection, message: _Claimed, error: Exception, now: datetime,
             report: DeliveryReport) -> _Write:
    config = current_app.config
    last_error = f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
    if _is_permanent(error):
        permanently_refused.send(current_app._get_current_object(), to_index=message.to_index,
                                 connection=connection)
    if _is_permanent(error) or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        report.failed += 1
        current_app.logger.error("mail %s failed after %s attempts: %s",
                                 message.message_id, message.attempts, error)
        return message.write(status=OutboxStatus.failed, last_error=last_error)
    next_attempt_at = now + retry_delay(message.attempts)
    report.retrying += 1
    current_app.logger.warning("mail %s: attempt %s failed, next at %s: %s", message.message_id,
                               message.attempts, next_attempt_at.isoformat(), error)
    return message.write(status=OutboxStatus.pending, next_attempt_at=next_attempt_at,
                         last_error=last_error)


def _write_all(connection, outcomes: list[_Write]) -> None:
    for outcome in outcomes:
        outcome.execute(connection)
    connection.commit()


def _keep_for_later(outcomes: list[_Write], now: datetime,
                    not_handed_over: list[_Claimed]) -> None:
    """The database went away: keep the outcomes, and release what was never handed over,
    due at once and without the attempt its claim counted."""
    _unrecorded().keep(outcomes + [
        message.write(status=OutboxStatus.pending, next_attempt_at=now,
                      attempts=message.attempts - 1)
        for message in not_handed_over
    ])


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the given number of attempts."""
    config = current_app.config
    return backoff_delay(attempts, config["MAIL_RETRY_BASE_SECONDS"],
                         config["MAIL_RETRY_MAX_SECONDS"])


def _is_permanent(error: Exception) -> bool:
    """A 5xx refusal will not change by trying again (an unknown mailbox, a rejected address),
    nor will a server without SMTPUTF8 take an address that cannot be written in ASCII."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def mime_message(message: OutboxMessage, **rendered) -> EmailMessage:
    """multipart/alternative (plain text + HTML); the Message-ID stays the same on retries.

    `rendered` gives the bodies where the message stored only what to render."""
    mime = EmailMessage()
    mime["From"] = message.sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(utcnow())
    mime["Message-ID"] = _message_id(message)
    mime["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        mime["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(rendered.get("body_text", message.body_text))
    body_html = rendered.get("body_html", message.body_html)
    if body_html:
        mime.add_alternative(body_html, subtype="html")
    return mime


def _message_id(message: OutboxMessage) -> str:
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def next_due_at() -> datetime | None:
    """When the earliest pending message is next due, or None when nothing waits."""
    return db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.pending
        )
    )


class BackgroundSender:
    """One daemon thread per process that delivers after requests, for the embedded default.

    `wake()` starts it, or tells the running one to look again. It keeps going while
    messages wait for a retry, sleeping until the next is due, and ends when none wait.
    Production runs `flask mail send --loop` instead (MAIL_SEND_IN_BACKGROUND=false).
    """

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            self._woken.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._woken.clear()
            wait = self._deliver_once()
            if wait is None:
                with self._lock:
                    if not self._woken.is_set():
                        self._thread = None
                        return
                continue
            self._woken.wait(wait)

    def _deliver_once(self) -> float | None:
        """Send what is due; return seconds until the next pending message, or None if none."""
        with self.app.app_context():
            try:
                send_due()
                due = next_due_at()
            except Exception:
                db.session.rollback()
                self.app.logger.exception("background mail delivery failed")
                return float(self.app.config["MAIL_RETRY_BASE_SECONDS"])
        if due is None:
            return None
        return max((due - utcnow()).total_seconds(), 0.0) + 0.01


def background_sender(app: Flask) -> BackgroundSender:
    """This app's background sender, made on first use."""
    return app.extensions.setdefault("mail_background_sender", BackgroundSender(app))
