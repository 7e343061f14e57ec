"""Webhook endpoints (added, removed, switched back on), the deliveries queued for them in the
transaction of the event, the body each delivery carries and its signature."""
import hashlib
import hmac
import json
import secrets
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import insert, select

from campaign.api import osdi, records
from campaign.audit.service import record
from campaign.common.errors import DomainError
from campaign.common.text import has_control_characters
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.webhooks.models import (
    URL_MAX_LENGTH, DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent,
)

SECRET_PREFIX = "whsec_"
SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200
#: The header a delivery's signature is sent in: `t=<unix time>,v1=<hex HMAC-SHA256>`.
SIGNATURE_HEADER = "Campaign-Signature"


class WebhookError(DomainError):
    pass


def checked_url(url: str) -> str:
    """An address deliveries may go to: HTTPS (unless WEBHOOK_REQUIRE_HTTPS is off), a host,
    no user name or password in it. Where it resolves to is checked at each connection."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise WebhookError(_("Enter the endpoint's full address, like "
                             "https://crm.example.org/hooks."), field="url") from error
    schemes = {"https"} if current_app.config["WEBHOOK_REQUIRE_HTTPS"] else {"https", "http"}
    if (parts.scheme not in schemes or not parts.hostname or parts.username or parts.password
            or len(url) > URL_MAX_LENGTH or has_control_characters(url) or " " in url):
        raise WebhookError(_("Enter the endpoint's full HTTPS address (up to %(max)d "
                             "characters), like https://crm.example.org/hooks.",
                             max=URL_MAX_LENGTH), field="url")
    return url


def checked_events(values) -> list[str]:
    known = {event.value for event in WebhookEvent}
    chosen = [value for value in dict.fromkeys(values or []) if value]
    if not chosen or any(value not in known for value in chosen):
        raise WebhookError(_("Choose one or more of the events: %(events)s.",
                             events=", ".join(sorted(known))), field="events")
    return chosen


def add_endpoint(url: str, events, actor=None, secret: str | None = None
                 ) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (made here unless given). Audited."""
    url, chosen = checked_url(url), checked_events(events)
    if secret is None:
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    elif not (SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH and secret.isascii()
              and secret.isprintable() and " " not in secret):
        raise WebhookError(_("A secret is %(min)d to %(max)d printable ASCII characters.",
                             min=SECRET_MIN_LENGTH, max=SECRET_MAX_LENGTH), field="secret")
    endpoint = WebhookEndpoint(url=url, secret=secret, events=chosen,
                               created_by=getattr(actor, "email", None) or (actor or ""))
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.add", f"webhook:{endpoint.id}", url, actor=actor)
    db.session.commit()
    return endpoint, secret


def remove_endpoint(endpoint: WebhookEndpoint, actor=None) -> None:
    """Gone with its delivery log. Audited."""
    record("webhook.remove", f"webhook:{endpoint.id}", endpoint.url, actor=actor)
    db.session.delete(endpoint)
    db.session.commit()


def enable_endpoint(endpoint: WebhookEndpoint, actor=None) -> None:
    """Switch a switched-off endpoint back on; what waited for it is delivered again."""
    if endpoint.active:
        return
    endpoint.active, endpoint.failures_in_a_row, endpoint.disabled_reason = True, 0, ""
    record("webhook.enable", f"webhook:{endpoint.id}", endpoint.url, actor=actor)
    db.session.commit()


def get_endpoint(endpoint_id: int) -> WebhookEndpoint | None:
    return db.session.get(WebhookEndpoint, endpoint_id)


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def queue(event: WebhookEvent, *resources: str) -> int:
    """Queue `event` about each of `resources` for every active endpoint that wants it, in the
    current transaction (it commits or rolls back with the change itself): one read of the
    endpoints and one INSERT, however many resources. Returns how many deliveries."""
    wanting = [endpoint.id for endpoint in db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))) if endpoint.wants(event)]
    now = utcnow()
    rows = [{"endpoint_id": endpoint_id, "event": event.value, "resource": resource,
             "created_at": now, "next_attempt_at": now}
            for resource in resources for endpoint_id in wanting]
    if rows:
        db.session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def deliveries_page(endpoint: WebhookEndpoint, page: int, per_page: int) -> Pagination:
    return db.paginate(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def get_delivery(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.endpoint_id == endpoint.id else None


def resend(delivery: WebhookDelivery, actor=None) -> None:
    """Send a delivered or failed delivery again, now, with a fresh round of attempts."""
    if not delivery.can_be_resent:
        raise WebhookError(_("This delivery is still waiting to be sent."))
    delivery.status, delivery.attempts, delivery.next_attempt_at = (
        DeliveryStatus.pending, 0, utcnow())
    record("webhook.resend", f"webhook-delivery:{delivery.id}", delivery.endpoint.url,
           actor=actor)
    db.session.commit()


# What is sent -----------------------------------------------------------------------------

def payload(delivery: WebhookDelivery) -> dict:
    """The delivery's body: the event and the record it is about, in the API's shape, as the
    record is now (a record erased since is named by its identifier alone)."""
    kind, _colon, key = delivery.resource.partition(":")
    embedded = {}
    if kind == "signature":
        found = records.signature(int(key))
        embedded["osdi:signature"] = (osdi.signature(found) if found
                                      else {"identifiers": [osdi.identifier("signature", key)]})
        person_key = found.email_index if found else None
    elif kind == "registration":
        found = records.attendance(int(key))
        embedded["osdi:attendance"] = (osdi.attendance(found) if found
                                       else {"identifiers": [osdi.identifier("attendance", key)]})
        person_key = found.email_index if found else None
    else:
        person_key = key
    if person_key:
        person = records.person(person_key)
        embedded["osdi:person"] = (osdi.person(person) if person
                                   else {"identifiers": [osdi.identifier("person", person_key)]})
    return {
        "id": f"delivery-{delivery.id}",
        "event": delivery.event,
        "created_date": osdi.date(delivery.created_at),
        "_embedded": embedded,
    }


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(payload(delivery), ensure_ascii=False, separators=(",", ":")).encode()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>." + body under the secret>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"
