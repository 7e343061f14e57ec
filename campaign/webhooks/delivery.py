"""The webhook worker: claim due deliveries, POST them signed, record the outcome, retry
with backoff, and switch off an endpoint that keeps failing (emailing the owners).

Claiming follows the mail sender (`mail.sender`): the due rows are picked (FOR UPDATE SKIP
LOCKED on PostgreSQL), then one guarded UPDATE pushes next_attempt_at past a lease, counts
the attempt and sets a fresh claim token, and commits; an outcome is written only under that
token. So any number of workers may run. A worker that dies holding a delivery leaves it to
be claimed again after WEBHOOK_CLAIM_SECONDS: delivery is at least once, and a receiver
tells repeats by the body's `id`.
"""
import signal
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from campaign.audit.service import record
from campaign.common.time import backoff_delay, utcnow
from campaign.common.urls import absolute_url
from campaign.extensions import db, passing_locked_rows
from campaign.mail.service import enqueue
from campaign.organizers.models import Organizer, Role
from campaign.webhooks import network
from campaign.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from campaign.webhooks.service import SIGNATURE_HEADER, body_of, signature_header

_ERROR_LENGTH = 500


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def claim_due(now: datetime) -> list[WebhookDelivery]:
    """Take up to WEBHOOK_BATCH_SIZE due deliveries of active endpoints; commits the claim."""
    config = current_app.config
    due = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == DeliveryStatus.pending,
               WebhookDelivery.next_attempt_at <= now, WebhookEndpoint.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(config["WEBHOOK_BATCH_SIZE"])
    )
    candidate_ids = db.session.scalars(passing_locked_rows(due, of=WebhookDelivery)).all()
    if not candidate_ids:
        db.session.commit()
        return []
    claimed_ids = db.session.scalars(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(candidate_ids),
               WebhookDelivery.status == DeliveryStatus.pending,
               WebhookDelivery.next_attempt_at <= now)
        .values(attempts=WebhookDelivery.attempts + 1, claim_token=uuid.uuid4().hex,
                next_attempt_at=now + timedelta(seconds=config["WEBHOOK_CLAIM_SECONDS"]))
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.id.in_(claimed_ids))
        .order_by(WebhookDelivery.id).execution_options(populate_existing=True)
    )) if claimed_ids else []


def deliver_due(now: datetime | None = None) -> DeliveryReport:
    """Deliver everything due at `now` (default: the current time), batch by batch."""
    report = DeliveryReport()
    while batch := claim_due(now or utcnow()):
        for delivery in batch:
            _deliver(delivery, now or utcnow(), report)
    return report


def _deliver(delivery: WebhookDelivery, now: datetime, report: DeliveryReport) -> None:
    config = current_app.config
    endpoint = delivery.endpoint
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "campaign-webhooks/1",
        SIGNATURE_HEADER: signature_header(endpoint.secret, timestamp, body),
        "Campaign-Event": delivery.event,
        "Campaign-Delivery": str(delivery.id),
    }
    claim = delivery.claim_token
    try:
        answer = network.post(endpoint.url, body, headers, config["WEBHOOK_TIMEOUT"],
                              config["WEBHOOK_MAX_RESPONSE_BYTES"],
                              config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
    except (OSError, ValueError) as error:
        _failed(delivery, claim, None, f"{type(error).__name__}: {error}", now, report)
        return
    if 200 <= answer.status < 300:
        _write(delivery, claim, status=DeliveryStatus.delivered, delivered_at=now,
               response_status=answer.status, last_error="")
        endpoint.failures_in_a_row = 0
        report.delivered += 1
    else:
        _failed(delivery, claim, answer.status, f"HTTP {answer.status}: {answer.text}", now,
                report)
    db.session.commit()


def _write(delivery: WebhookDelivery, claim: str, **values) -> None:
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claim_token == claim)
        .values(**values).execution_options(synchronize_session=False)
    )


def _failed(delivery: WebhookDelivery, claim: str, status: int | None, error: str,
            now: datetime, report: DeliveryReport) -> None:
    config = current_app.config
    error = error[:_ERROR_LENGTH]
    if delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        _write(delivery, claim, status=DeliveryStatus.failed, response_status=status,
               last_error=error)
        report.failed += 1
    else:
        delay = backoff_delay(delivery.attempts, config["WEBHOOK_RETRY_BASE_SECONDS"],
                              config["WEBHOOK_RETRY_MAX_SECONDS"])
        _write(delivery, claim, status=DeliveryStatus.pending, response_status=status,
               last_error=error, next_attempt_at=now + delay)
        report.retrying += 1
    current_app.logger.warning("webhook delivery %s to endpoint %s failed (attempt %s): %s",
                               delivery.id, delivery.endpoint_id, delivery.attempts, error)
    endpoint = delivery.endpoint
    endpoint.failures_in_a_row += 1
    if endpoint.active and endpoint.failures_in_a_row >= config["WEBHOOK_DISABLE_AFTER"]:
        _switch_off(endpoint, error)
    db.session.commit()


def _switch_off(endpoint: WebhookEndpoint, error: str) -> None:
    """It failed WEBHOOK_DISABLE_AFTER attempts in a row: stop, and tell every owner."""
    endpoint.active = False
    endpoint.disabled_reason = error[:500]
    record("webhook.disable", f"webhook:{endpoint.id}",
           f"{endpoint.failures_in_a_row} failed attempts in a row", actor="webhooks")
    owners = db.session.scalars(select(Organizer).where(Organizer.role == Role.owner,
                                                        Organizer.active.is_(True)))
    for owner in owners:
        enqueue("webhook_disabled", owner.email,
                _("A webhook was switched off: %(url)s", url=endpoint.url), "webhook_disabled",
                url=endpoint.url, reason=error,
                dashboard_url=absolute_url("dashboard.webhook", endpoint_id=endpoint.id))


def run_forever(interval: int, echo) -> None:
    """`webhooks deliver --loop`: a round every `interval` seconds until SIGTERM or Ctrl-C."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            try:
                report = deliver_due()
            except Exception:  # the database away, say: try again next round
                db.session.rollback()
                current_app.logger.exception("webhook round failed; trying again next round")
            else:
                if report.delivered or report.retrying or report.failed:
                    echo(report)
            db.session.remove()
            for _second in range(interval):
                if stopping:
                    break
                time.sleep(1)
    except KeyboardInterrupt:
        pass
