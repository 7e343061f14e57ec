"""Supporters keep their record of everyone who signs or registers, and bounce addresses the
mail server refuses for good."""
from campaign.events.registration import registered
from campaign.mail.sender import permanently_refused
from campaign.signatures.signals import signed
from campaign.supporters.models import SubscriptionSource
from campaign.supporters.service import mark_bounced, note_contact


@signed.connect
def _signatory(statement, email: str, name: str, wants_updates: bool) -> None:
    note_contact(statement.campaign_id, email, name, wants_updates, SubscriptionSource.signing)


@registered.connect
def _registrant(event, email: str, name: str, wants_updates: bool) -> None:
    note_contact(event.campaign_id, email, name, wants_updates, SubscriptionSource.registration)


@permanently_refused.connect
def _bounced(_app, to_index: str, connection) -> None:
    mark_bounced(to_index, connection)
