"""The events below that webhooks are sent for, queued in the transaction of the change."""
from campaign.common.hashing import email_index
from campaign.common.signals import person_unsubscribed
from campaign.events.models import RegistrationStatus
from campaign.events.signals import event_cancelled, registration_changed
from campaign.signatures.models import SignatureStatus
from campaign.signatures.signals import status_changed
from campaign.webhooks.models import WebhookEvent
from campaign.webhooks.service import queue


@status_changed.connect
def _signature_changed(signature, before) -> None:
    resource = f"signature:{signature.id}"
    if signature.status is SignatureStatus.confirmed and before in (None, SignatureStatus.pending):
        queue(WebhookEvent.signature_confirmed, resource)
    elif signature.status is SignatureStatus.withdrawn:
        queue(WebhookEvent.signature_withdrawn, resource)


def _registration(registration_id: int) -> str:
    return f"registration:{registration_id}"


@registration_changed.connect
def _registration_changed(registration, before) -> None:
    if registration.status is RegistrationStatus.confirmed:
        queue(WebhookEvent.waitlist_promoted if before is RegistrationStatus.waitlisted
              else WebhookEvent.registration_confirmed, _registration(registration.id))
    elif registration.status is RegistrationStatus.cancelled:
        _registrations_ended([registration.id])


@event_cancelled.connect
def _event_cancelled(_event, registration_ids) -> None:
    _registrations_ended(registration_ids)


def _registrations_ended(registration_ids) -> None:
    """`registration.cancelled` for each: cancelled by the registrant, an organizer or an
    erasure, or left without a place by the event's cancellation."""
    queue(WebhookEvent.registration_cancelled, *map(_registration, registration_ids))


@person_unsubscribed.connect
def _unsubscribed(_sender, email: str) -> None:
    queue(WebhookEvent.person_unsubscribed, f"person:{email_index(email)}")
