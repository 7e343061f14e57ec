"""Delivering the outbox: claim due messages, send them, record the outcome.

Claiming picks the due rows, then UPDATEs them to push next_attempt_at past a lease and
count the attempt, guarded by `status = pending AND next_attempt_at <= now`, and commits;
so however many senders run (threads, workers, hosts) a message is claimed by one of
them. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so senders pass each
other instead of queueing (a separate statement, not an `IN (subquery)`: PostgreSQL may
re-run such a subquery and, skipping the rows it has just locked, claim past the batch
size). SQLite has a single writer, so the guarded UPDATE alone decides. If a sender dies
mid-send, its lease runs out and another one retries.

Each round starts with `delivery_round`, so a domain that left work for the sender (the
signatures' requests for a confirmation link, looked up here and not in the request that
asked) writes those messages first.

After a failure the message waits MAIL_RETRY_BASE_SECONDS * 2^(attempts-1) (capped at
MAIL_RETRY_MAX_SECONDS); after MAIL_MAX_ATTEMPTS, or a permanent refusal, it is failed
and shown in the dashboard for an editor to retry.
"""
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from blinker import Namespace
from flask import Flask, current_app
from sqlalchemy import func, select, update

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.backends import BackendUnavailable, backend_for
from campaign.mail.models import OutboxMessage, OutboxStatus

_ERROR_LENGTH = 2000

#: Sent with the app at the start of every `send_due`, before anything is claimed.
delivery_round = Namespace().signal("delivery-round")


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


def send_due(now: datetime | None = None, backend=None) -> DeliveryReport:
    """Send every message due at `now` (default: the current time), batch by batch."""
    backend = backend or backend_for(current_app.config)
    delivery_round.send(current_app._get_current_object())
    report = DeliveryReport()
    while True:
        clock = now or utcnow()
        batch = claim_due(clock)
        if not batch:
            return report
        report.add(_deliver(batch, backend, clock))


def claim_due(now: datetime) -> list[OutboxMessage]:
    """Take up to MAIL_BATCH_SIZE messages due at `now` for this sender alone; commits the claim."""
    config = current_app.config
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(config["MAIL_BATCH_SIZE"])
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    candidate_ids = db.session.scalars(due).all()
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


def _deliver(batch: list[OutboxMessage], backend, now: datetime) -> DeliveryReport:
    report = DeliveryReport()
    try:
        with backend.session() as session:
            for message in batch:
                try:
                    session.send(mime_message(message))
                except Exception as error:  # one bad message must not hold up the rest
                    _record_failure(message, error, now, report)
                else:
                    _record_sent(message, now, report)
                db.session.commit()
    except BackendUnavailable as error:
        for message in batch:
            _record_failure(message, error, now, report)
        db.session.commit()
    return report


def _record_sent(message: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
    _record(message, status=OutboxStatus.sent, sent_at=now, last_error="")
    report.sent += 1


def _record_failure(
    message: OutboxMessage, error: Exception, now: datetime, report: DeliveryReport
) -> None:
    config = current_app.config
    last_error = f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
    if _is_permanent(error) or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        _record(message, status=OutboxStatus.failed, last_error=last_error)
        report.failed += 1
        current_app.logger.error("mail %s failed after %s attempts: %s",
                                 message.id, message.attempts, error)
        return
    next_attempt_at = now + retry_delay(message.attempts)
    _record(message, next_attempt_at=next_attempt_at, last_error=last_error)
    report.retrying += 1
    current_app.logger.warning("mail %s: attempt %s failed, next at %s: %s",
                               message.id, message.attempts, next_attempt_at.isoformat(), error)


def _record(message: OutboxMessage, **values) -> None:
    """Write the outcome by id: a message erased meanwhile (privacy erasure) is simply gone."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values)
        .execution_options(synchronize_session=False)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the given number of attempts."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _is_permanent(error: Exception) -> bool:
    """A 5xx refusal will not change by trying again (an unknown mailbox, a rejected address)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def mime_message(message: OutboxMessage) -> EmailMessage:
    """multipart/alternative (plain text + HTML); the Message-ID stays the same on retries."""
    mime = EmailMessage()
    mime["From"] = message.sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(utcnow())
    mime["Message-ID"] = _message_id(message)
    mime["Auto-Submitted"] = "auto-generated"
    mime.set_content(message.body_text)
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html")
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
