"""The events below that webhooks are sent for, queued in the transaction of the change."""
from campaign.common.hashing import email_index
from campaign.common.signals import person_unsubscribed
from campaign.events.models import RegistrationStatus
from campaign.events.signals import registration_changed
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


@registration_changed.connect
def _registration_changed(registration, before) -> None:
    resource = f"registration:{registration.id}"
    if registration.status is RegistrationStatus.confirmed:
        queue(WebhookEvent.waitlist_promoted if before is RegistrationStatus.waitlisted
              else WebhookEvent.registration_confirmed, resource)
    elif registration.status is RegistrationStatus.cancelled:
        queue(WebhookEvent.registration_cancelled, resource)


@person_unsubscribed.connect
def _unsubscribed(_sender, email: str) -> None:
    queue(WebhookEvent.person_unsubscribed, f"person:{email_index(email)}")
