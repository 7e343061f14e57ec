"""Keeping the record of each supporter and their subscription to updates.

A supporter is upserted (one row per campaign and blind index, the database decides) each
time the person signs, registers or asks on `/subscribe`. Ticking "Email me updates" on
the signing or registration form subscribes at once; on `/subscribe`, and for an address
that had unsubscribed, the subscription waits for the emailed link (double opt-in), so a
visitor cannot sign someone else up again. Bounced and complained addresses stay so.
"""
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, select, text, update

from campaign.audit.service import record
from campaign.common.signals import person_unsubscribed
from campaign.common.errors import DomainError
from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.events.models import Event, Registration
from campaign.extensions import db
from campaign.mail.service import enqueue
from campaign.signatures.models import Signature
from campaign.statements.models import Campaign, Statement
from campaign.supporters.models import (
    NEVER_MAILED, SubscriptionSource, SubscriptionState, Supporter,
)

_UNSUBSCRIBE_SALT = "supporter-unsubscribe"
_SUBSCRIBE_SALT = "supporter-subscribe"


class SupporterError(DomainError):
    pass


class InvalidLink(SupporterError):
    pass


def note_contact(campaign_id: int, email: str, name: str, wants_updates: bool,
                 via: SubscriptionSource) -> None:
    """The supporter record for a signing or registration, subscribed if they ticked the box.

    Part of the caller's transaction. An address that had unsubscribed is asked by email.
    """
    supporter_id, state = _upsert(campaign_id, email, name)
    if not wants_updates or state is SubscriptionState.subscribed or state in NEVER_MAILED:
        return
    supporter = db.session.get(Supporter, supporter_id)
    if state is SubscriptionState.unsubscribed:
        _ask_to_confirm(supporter)
    else:
        _subscribe(supporter, via)


def ask_to_subscribe(campaign: Campaign, email: str, name: str) -> None:
    """`/subscribe`: email a confirmation link unless already subscribed; commits.

    The answer is the same either way, so the page does not tell whether the address is known.
    """
    supporter_id, state = _upsert(campaign.id, email, name)
    if not (state is SubscriptionState.subscribed or state in NEVER_MAILED):
        _ask_to_confirm(db.session.get(Supporter, supporter_id))
    db.session.commit()


def _ask_to_confirm(supporter: Supporter) -> None:
    if supporter.state is not SubscriptionState.unsubscribed:
        _set_state(supporter, SubscriptionState.pending)
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SUBSCRIBE_SALT).dumps(
        [supporter.id, supporter.email_index[:16]]
    )
    enqueue(
        "subscribe_confirm", supporter.email,
        _("Confirm your subscription: %(name)s", name=_campaign_name(supporter)),
        "subscribe_confirm", supporter=supporter, campaign_title=_campaign_name(supporter),
        confirm_url=absolute_url("supporters.confirm", token=token),
    )


def supporter_from_confirm_link(token: str) -> Supporter | None:
    max_age = current_app.config["CONFIRMATION_MAX_AGE_DAYS"] * 24 * 3600
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SUBSCRIBE_SALT)
    try:
        supporter_id, fingerprint = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidLink(_("This link has expired. Ask for a new one on the subscribe page.")) \
            from error
    except (BadSignature, TypeError, ValueError) as error:
        raise InvalidLink(_("This link is not valid. Check that you copied the whole link "
                            "from the email.")) from error
    supporter = db.session.get(Supporter, supporter_id) if isinstance(supporter_id, int) else None
    if supporter is None or supporter.email_index[:16] != fingerprint:
        return None
    return supporter


def confirm_subscription(supporter: Supporter) -> bool:
    """The emailed link's button: subscribed from now (a bounced or complained address stays)."""
    if supporter.is_never_mailed:
        return False
    if not supporter.is_subscribed:
        _subscribe(supporter, SubscriptionSource.subscribe_form)
    db.session.commit()
    return True


def _subscribe(supporter: Supporter, via: SubscriptionSource) -> None:
    _set_state(supporter, SubscriptionState.subscribed)
    supporter.subscribed_at = supporter.state_changed_at
    supporter.subscribed_via = via
    supporter.consent_version = current_app.config["UPDATES_CONSENT_VERSION"]


def _set_state(supporter: Supporter, state: SubscriptionState) -> None:
    supporter.state = state
    supporter.state_changed_at = utcnow()


#: Insert the row of (campaign, address) unless there is one, giving it the name when one is
#: given, in one statement: concurrent requests leave one row, and a signature costs one round
#: trip. Written as text because SQLAlchemy compiles its dialects' INSERT ... ON CONFLICT
#: afresh for every execution (it never caches them); the two databases spell it alike.
_UPSERT = text(
    "INSERT INTO supporters (campaign_id, email, email_index, name, state, consent_version, "
    "state_changed_at, created_at) VALUES (:campaign_id, :email, :email_index, :name, :state, "
    "'', :now, :now) ON CONFLICT (campaign_id, email_index) DO UPDATE SET name = CASE "
    "WHEN excluded.name = '' THEN supporters.name ELSE excluded.name END RETURNING id, state"
).bindparams(
    bindparam("email", type_=Supporter.email.type), bindparam("state", type_=Supporter.state.type),
    bindparam("now", type_=Supporter.created_at.type),
).columns(Supporter.id, Supporter.state)


def _upsert(campaign_id: int, email: str, name: str) -> tuple[int, SubscriptionState]:
    """The record's id and subscription state, without loading it (a signature needs no more).

    A record this session already holds is expired, so that it is read again as it now is.
    """
    supporter_id, state = db.session.execute(_UPSERT, {
        "campaign_id": campaign_id, "email": email, "email_index": email_index(email),
        "name": name, "state": SubscriptionState.not_subscribed, "now": utcnow(),
    }).one()
    held = db.session.identity_map.get(db.session.identity_key(Supporter, supporter_id))
    if held is not None:
        db.session.expire(held)
    return supporter_id, state


def _campaign_name(supporter: Supporter) -> str:
    return db.session.get(Campaign, supporter.campaign_id).name


def unsubscribe_token(supporter_id: int) -> str:
    """Never expires: a person may want out of an update years later."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT).dumps(
        supporter_id
    )


def unsubscribe_url(supporter_id: int) -> str:
    return absolute_url("supporters.unsubscribe", token=unsubscribe_token(supporter_id))


def supporter_from_unsubscribe_link(token: str) -> Supporter | None:
    """The supporter a link names, or None once their record is erased; InvalidLink if forged."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)
    try:
        supporter_id = serializer.loads(token)
    except (BadSignature, TypeError, ValueError) as error:
        raise InvalidLink(_("This link is not valid. Check that you copied the whole link "
                            "from the email.")) from error
    if not isinstance(supporter_id, int):
        raise InvalidLink(_("This link is not valid."))
    return db.session.get(Supporter, supporter_id)


def unsubscribe(supporter: Supporter) -> None:
    """No more updates to this address in this campaign; safe to repeat; commits."""
    if supporter.state in (SubscriptionState.subscribed, SubscriptionState.pending,
                           SubscriptionState.not_subscribed):
        _set_state(supporter, SubscriptionState.unsubscribed)
        record("supporter.unsubscribe", f"supporter:{supporter.id}", actor="supporter")
        person_unsubscribed.send(current_app._get_current_object(), email=supporter.email)
    db.session.commit()


def mark_bounced(to_index: str, connection) -> int:
    """A permanent refusal: the address is bounced in every campaign, on the connection whose
    transaction records the failure."""
    return connection.execute(_marking(to_index, SubscriptionState.bounced)).rowcount


def mark_complained(email: str) -> int:
    """A spam complaint (a feedback-loop report): no update ever again; commits."""
    count = db.session.execute(_marking(email_index(email), SubscriptionState.complained)
                               .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count


def _marking(index: str, state: SubscriptionState):
    return (update(Supporter)
            .where(Supporter.email_index == index, Supporter.state.not_in(NEVER_MAILED))
            .values(state=state, state_changed_at=utcnow()))


def supporters_with(index: str) -> list[Supporter]:
    """Every supporter record of an address (one per campaign), for privacy requests."""
    return list(db.session.scalars(
        select(Supporter).where(Supporter.email_index == index).order_by(Supporter.id)
    ))


def erase_supporters(index: str, reason: str, actor=None) -> int:
    """Delete the address's supporter records (their update deliveries go with them)."""
    ids = [supporter.id for supporter in supporters_with(index)]
    if ids:
        db.session.execute(delete(Supporter).where(Supporter.id.in_(ids)))
        for supporter_id in ids:
            record("supporter.erase", f"supporter:{supporter_id}", reason, actor=actor)
    return len(ids)


def signatures_of(supporter: Supporter) -> list[Signature]:
    return list(db.session.scalars(
        select(Signature).join(Statement)
        .where(Statement.campaign_id == supporter.campaign_id,
               Signature.email_index == supporter.email_index)
        .order_by(Signature.id)
    ))


def registrations_of(supporter: Supporter) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).join(Event)
        .where(Event.campaign_id == supporter.campaign_id,
               Registration.email_index == supporter.email_index)
        .order_by(Registration.id)
    ))


def campaign_for_subscribing(slug: str | None) -> Campaign | None:
    """The campaign `/subscribe?campaign=SLUG` names, else the first one."""
    query = select(Campaign).order_by(Campaign.id)
    if slug:
        query = query.where(Campaign.slug == slug[:120])
    return db.session.scalars(query.limit(1)).first()
