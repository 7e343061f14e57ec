"""The duties of holding people's data: subject access (export), erasure and storage limitation.

Used by the owner's dashboard pages and the `privacy` commands alike. Signatures and
registrations are changed only through their own domains' functions, which keep the
counts right and audit each row.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from campaign.common.errors import DomainError
from campaign.common.emails import InvalidEmail, normalise_email, validated_email
from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.endorsements import service as endorsement_service
from campaign.endorsements.models import Endorsement
from campaign.events import service as event_service
from campaign.events.models import Event, Registration
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus, RecipientDailyCount
from campaign.payments import service as payment_service
from campaign.payments.models import Payment
from campaign.mail.service import message_bodies
from campaign.audit.models import AuditEntry
from campaign.audit.service import person_reference, record
from campaign.signatures import service as signature_service
from campaign.signatures.models import ResendRequest, Signature
from campaign.statements.models import Campaign, Statement, StatementStatus
from campaign.supporters import service as supporter_service
from campaign.supporters.models import Supporter


class PrivacyError(DomainError):
    """The request cannot be carried out; the message says why."""


@dataclass
class PersonRecords:
    """Everything held on one person, matched by the blind index of their address."""

    email: str
    signatures: list[Signature] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    #: Gifts given online under the address (a ticket's payment goes with its registration).
    gifts: list[Payment] = field(default_factory=list)
    #: Endorsements naming the address as their organisation's contact.
    endorsements: list[Endorsement] = field(default_factory=list)
    supporters: list[Supporter] = field(default_factory=list)
    #: "Send my confirmation link again" requests the mail sender has not yet taken.
    resend_requests: list[ResendRequest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.signatures or self.registrations or self.messages or self.gifts
                    or self.endorsements or self.supporters or self.resend_requests)

    def summary(self) -> str:
        return (f"{len(self.signatures)} signatures, {len(self.registrations)} registrations, "
                f"{len(self.messages)} messages, {len(self.gifts)} gifts, "
                f"{len(self.supporters)} supporter records"
                + (f", {len(self.resend_requests)} resend requests"
                   if self.resend_requests else ""))


def find_person(email: str) -> PersonRecords:
    """Signatures, registrations and mail whose address has the same normal form as `email`."""
    try:
        address = validated_email(email)
    except InvalidEmail as error:
        raise PrivacyError(_("Enter a valid email address.")) from error
    index = email_index(address)
    signatures = list(db.session.scalars(
        select(Signature).where(Signature.email_index == index).order_by(Signature.id)
    ))
    registrations = list(db.session.scalars(
        select(Registration).where(Registration.email_index == index).order_by(Registration.id)
    ))
    gifts = list(db.session.scalars(
        select(Payment).where(Payment.email_index == index).order_by(Payment.id)
    ))
    return PersonRecords(normalise_email(address), signatures, registrations, _messages_to(index),
                         gifts, endorsement_service.endorsements_with_contact(index),
                         supporter_service.supporters_with(index), _resend_requests_for(index))


def _messages_to(index: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == index).order_by(OutboxMessage.id)
    ))


def _resend_requests_for(index: str) -> list[ResendRequest]:
    """The waiting resend requests from the address. Their address is kept encrypted with no
    blind index (a request lives until the mail sender's next round), so the few waiting
    are read and their addresses compared."""
    return [request for request in db.session.scalars(
        select(ResendRequest).order_by(ResendRequest.id)
    ) if email_index(request.email) == index]


def export_person(email: str, actor=None) -> dict:
    """A subject access export (JSON-ready) of everything held on the address; audited."""
    person = find_person(email)
    config = current_app.config
    export = {
        "email": person.email,
        "exported_at": _iso(utcnow()),
        "controller": config["PRIVACY_CONTROLLER"],
        "contact": config["PRIVACY_CONTACT"],
        "signatures": [_signature_export(s) for s in person.signatures],
        "registrations": [_registration_export(r) for r in person.registrations],
        "messages": [_message_export(m) for m in person.messages],
        "gifts": [_payment_export(p) for p in person.gifts],
        "endorsements": [_endorsement_export(e) for e in person.endorsements],
        "supporters": [_supporter_export(s) for s in person.supporters],
        "resend_requests": [_resend_request_export(r) for r in person.resend_requests],
    }
    record("privacy.export", person_reference(email), person.summary(), actor=actor)
    db.session.commit()
    return export


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _signature_export(signature: Signature) -> dict:
    statement = signature.statement
    return {
        "statement": {"slug": statement.slug, "title": statement.title},
        "name": signature.name,
        "affiliation": signature.affiliation,
        "personal_capacity": signature.personal_capacity,
        "email": signature.email,
        "country": signature.country,
        "language": signature.language,
        "show_publicly": signature.show_publicly,
        "featured": signature.featured,
        "comment": signature.comment,
        "status": signature.status.value,
        "statement_revision": signature.revision,
        "consent_version": signature.consent_version,
        "ip_hash": signature.ip_hash,
        "source": signature.source,
        "referrer_domain": signature.referrer_domain,
        "wants_updates": signature.wants_updates,
        "signed_at": _iso(signature.created_at),
        "confirmed_at": _iso(signature.confirmed_at),
        "entered": signature.entry_method.value,
        "collected_on": signature.collected_on.isoformat() if signature.collected_on else None,
    }


def _endorsement_export(endorsement: Endorsement) -> dict:
    statement = endorsement.statement
    return {
        "statement": {"slug": statement.slug, "title": statement.title},
        "organisation": endorsement.name,
        "kind": endorsement.kind.value,
        "website": endorsement.website,
        "contact_email": endorsement.contact_email,
        "status": endorsement.status.value,
        "endorsed_at": _iso(endorsement.created_at),
        "approved_at": _iso(endorsement.approved_at),
    }


def _registration_export(registration: Registration) -> dict:
    event = registration.event
    return {
        "event": {"slug": event.slug, "title": event.title, "starts_at": _iso(event.starts_at)},
        "name": registration.name,
        "email": registration.email,
        "affiliation": registration.affiliation,
        "language": registration.language,
        "ticket": registration.ticket_type.name,
        "status": registration.status.value,
        "reference": registration.reference,
        "amount_minor": registration.amount_minor,
        "currency": registration.currency,
        "payment_method": registration.payment_method,
        "paid_at": _iso(registration.paid_at),
        "checked_in_at": _iso(registration.checked_in_at),
        "source": registration.source,
        "referrer_domain": registration.referrer_domain,
        "wants_updates": registration.wants_updates,
        "consent_version": registration.consent_version,
        "registered_at": _iso(registration.created_at),
        "cancelled_at": _iso(registration.cancelled_at),
        "payments": [_payment_export(payment) for payment in payment_service.payments_of(
            registration)],
    }


def _payment_export(payment: Payment) -> dict:
    """A payment taken online: amounts and the provider's references (no card data is held)."""
    return {
        "appeal": payment.appeal.name if payment.appeal else None,
        "name": payment.name,
        "email": payment.email,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "method": payment.method,
        "state": payment.state.value,
        "provider_session": payment.provider_session_id,
        "provider_payment": payment.provider_payment_id,
        "refunded_minor": payment.refunded_minor,
        "created_at": _iso(payment.created_at),
        "paid_at": _iso(payment.paid_at),
    }


def _message_export(message: OutboxMessage) -> dict:
    return {
        "to": message.to,
        "subject": message.subject,
        "kind": message.kind,
        "status": message.status.value,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
        "body_text": message_bodies(message)[0],
    }


def _supporter_export(supporter: Supporter) -> dict:
    return {
        "campaign": db.session.get(Campaign, supporter.campaign_id).slug,
        "name": supporter.name,
        "email": supporter.email,
        "subscription": supporter.state.value,
        "subscribed_at": _iso(supporter.subscribed_at),
        "subscribed_via": supporter.subscribed_via.value if supporter.subscribed_via else None,
        "consent_version": supporter.consent_version,
        "state_changed_at": _iso(supporter.state_changed_at),
        "created_at": _iso(supporter.created_at),
    }


def _resend_request_export(request: ResendRequest) -> dict:
    statement = db.session.get(Statement, request.statement_id)
    return {
        "statement": {"slug": statement.slug, "title": statement.title},
        "email": request.email,
        "requested_at": _iso(request.created_at),
    }


def erase_person(email: str, actor=None) -> PersonRecords:
    """Erase everything held on the address: signatures and registrations are wiped (through
    their domains, which keep counts right); mail to the address and its waiting resend
    requests are deleted. Audited."""
    person = find_person(email)
    for signature in person.signatures:
        signature_service.erase_signature(signature, "erasure request", actor=actor)
    for registration in person.registrations:
        event_service.erase_registration(registration, "erasure request", actor=actor)
    for gift in person.gifts:
        payment_service.erase_giver(gift)
    for endorsement in person.endorsements:
        endorsement_service.erase_contact(endorsement, "erasure request", actor=actor)
    supporter_service.erase_supporters(email_index(email), "erasure request", actor=actor)
    db.session.flush()
    messages = _messages_to(email_index(email))
    db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]))
        .execution_options(synchronize_session=False)
    )
    person.messages = messages
    db.session.execute(
        delete(ResendRequest)
        .where(ResendRequest.id.in_([request.id for request in person.resend_requests]))
        .execution_options(synchronize_session=False)
    )
    record("privacy.erase", person_reference(email), person.summary(), actor=actor)
    db.session.commit()
    return person


def privacy_history(email: str) -> list[AuditEntry]:
    """Earlier exports and erasures for this address, found by its reference in the audit log."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.target == person_reference(email))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ))


@dataclass
class RetentionReport:
    """What `apply_retention` changed, or would change on a dry run."""

    days: int
    dry_run: bool
    signatures: int = 0
    registrations: int = 0
    ip_hashes: int = 0
    messages: int = 0
    recipient_counts: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.signatures or self.registrations or self.ip_hashes or self.messages
                    or self.recipient_counts)

    def summary(self) -> str:
        return (f"{self.signatures} signatures and {self.registrations} registrations anonymised "
                f"(closed more than {self.days} days ago), {self.ip_hashes} IP hashes dropped, "
                f"{self.messages} old messages and {self.recipient_counts} past days' "
                f"per-recipient mail counts deleted")


#: Rows anonymised per transaction, so a large backlog never holds one long lock.
_RETENTION_BATCH = 500


def apply_retention(days: int | None = None, dry_run: bool = False, now: datetime | None = None,
                    actor=None) -> RetentionReport:
    """Storage limitation, safe to run daily: anonymise what is past its retention period.

    Signatures of statements closed more than `days` (RETENTION_DAYS) ago and registrations
    of events that ended that long ago lose their personal data but keep counting, with
    their country. IP hashes go after IP_HASH_RETENTION_DAYS; sent and failed mail after
    OUTBOX_RETENTION_DAYS; per-recipient mail counts once their day is over. Running it
    again changes nothing; `dry_run` only counts.
    """
    config = current_app.config
    now = now or utcnow()
    days = config["RETENTION_DAYS"] if days is None else days
    cutoff = now - timedelta(days=days)
    signatures_due = select(Signature).join(Signature.statement).where(
        _expired_signatures(cutoff))
    registrations_due = select(Registration).join(Registration.event).where(
        _expired_registrations(cutoff))
    # Anonymising a signature drops its IP hash too; these are the hashes of the others.
    old_ip_hashes = and_(
        Signature.ip_hash.is_not(None),
        Signature.created_at < now - timedelta(days=config["IP_HASH_RETENTION_DAYS"]),
        Signature.id.not_in(signatures_due.with_only_columns(Signature.id)),
    )
    old_messages = and_(
        OutboxMessage.status.in_((OutboxStatus.sent, OutboxStatus.failed)),
        OutboxMessage.created_at < now - timedelta(days=config["OUTBOX_RETENTION_DAYS"]),
    )
    past_recipient_counts = RecipientDailyCount.day < now.date()
    report = RetentionReport(days, dry_run)
    if dry_run:
        report.signatures = _count(signatures_due)
        report.registrations = _count(registrations_due)
        report.ip_hashes = _count(select(Signature).where(old_ip_hashes))
        report.messages = _count(select(OutboxMessage).where(old_messages))
        report.recipient_counts = _count(select(RecipientDailyCount).where(past_recipient_counts))
        return report

    reason = f"retention: closed more than {days} days ago"
    report.signatures = _in_batches(signatures_due, Signature, lambda signature: (
        signature_service.anonymise_signature(signature, reason, actor=actor)))
    report.registrations = _in_batches(registrations_due, Registration, lambda registration: (
        event_service.erase_registration(registration, reason, actor=actor, free_place=False)))
    report.ip_hashes = db.session.execute(
        update(Signature).where(old_ip_hashes).values(ip_hash=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    report.messages = db.session.execute(
        delete(OutboxMessage).where(old_messages).execution_options(synchronize_session=False)
    ).rowcount
    report.recipient_counts = db.session.execute(
        delete(RecipientDailyCount).where(past_recipient_counts)
        .execution_options(synchronize_session=False)
    ).rowcount
    if report.changed_anything:
        record("privacy.anonymise", "retention", report.summary(), actor=actor)
    db.session.commit()
    return report


def _expired_signatures(cutoff: datetime):
    """Signatures still holding personal data, on statements closed before `cutoff`."""
    statement_closed = or_(
        Statement.closes_at < cutoff,
        and_(Statement.status == StatementStatus.closed, Statement.updated_at < cutoff),
    )
    holds_personal_data = or_(
        Signature.email.is_not(None),
        Signature.name.not_in((signature_service.ANONYMOUS_NAME, signature_service.WITHDRAWN_NAME)),
        Signature.affiliation != "",
        Signature.comment != "",
        Signature.ip_hash.is_not(None),
        Signature.referrer_domain != "",
    )
    return and_(statement_closed, holds_personal_data)


def _expired_registrations(cutoff: datetime):
    """Registrations still holding personal data, for events that ended before `cutoff`."""
    holds_personal_data = or_(
        Registration.email.is_not(None),
        Registration.name != event_service.ERASED_NAME,
        Registration.affiliation != "",
        Registration.referrer_domain != "",
    )
    return and_(func.coalesce(Event.ends_at, Event.starts_at) < cutoff, holds_personal_data)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _in_batches(query, model, change) -> int:
    """Apply `change` to every row of `query`, a batch per transaction, in id order."""
    done, last_id = 0, 0
    while True:
        batch = db.session.scalars(
            query.where(model.id > last_id).order_by(model.id).limit(_RETENTION_BATCH)
        ).all()
        if not batch:
            return done
        for row in batch:
            change(row)
        last_id = batch[-1].id
        done += len(batch)
        db.session.commit()
