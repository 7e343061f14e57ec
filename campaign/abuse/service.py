"""Abuse review: signatures held for confirmation, what the flood limit refused, which surges
look wrong, and hiding them as a batch.

Nothing here drops a signature on its own. A surge is flagged for an organizer, who can hide
the flagged batch at once and undo that later; signatures held because their address signed
faster than one person does (`signatures.service.sign`) wait for their emailed link or for an
organizer to approve or hide them. Every status change goes through
`signatures.service.change_signature`, so the public counts follow.

A surge is judged over a recent window (ABUSE_WINDOW_MINUTES) against the statement's own
baseline (the ABUSE_BASELINE_DAYS before the window):

- one address (the keyed hash of the signer's IP): ABUSE_ADDRESS_THRESHOLD or more
  signatures in the window; normal is one or two per address (an office or a campus can
  share one, which is why a person decides).
- one email domain or one country: at least ABUSE_SURGE_MIN signatures in the window and
  ABUSE_SURGE_FACTOR times what its share of the baseline predicts. A statement with fewer
  than ABUSE_SURGE_MIN signatures in its baseline has no "normal" yet, so these two wait.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from campaign.common.errors import DomainError
from campaign.abuse.models import HiddenBatch, HiddenBatchMember, RefusedAttempts, Signal
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.audit.service import record
from campaign.signatures.milestones import announce_crossed
from campaign.signatures.models import Signature, SignatureStatus
from campaign.signatures.service import change_signature
from campaign.statements.models import Statement

#: Signatures a surge can include: not yet hidden, withdrawn or curated by the organizers.
_STANDING = (SignatureStatus.pending, SignatureStatus.confirmed)


class AbuseError(DomainError):
    """A rule refused the action; the message can be shown to the organizer."""


# Refused attempts ------------------------------------------------------------


def record_refusal(statement_slug: str) -> None:
    """Count one signing attempt the rate limits refused, in its own short transaction."""
    statement_id = db.session.scalar(select(Statement.id).where(Statement.slug == statement_slug))
    if statement_id is None:
        return
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    shard = random.randrange(current_app.config["COUNT_SHARDS"])
    db.session.execute(
        insert(RefusedAttempts)
        .values(statement_id=statement_id, hour=hour, shard=shard, refused=1)
        .on_conflict_do_update(
            index_elements=["statement_id", "hour", "shard"],
            set_={"refused": RefusedAttempts.refused + 1},
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class Refusals:
    last_day: int
    total: int


def refusals(statement_id: int) -> Refusals:
    since = utcnow() - timedelta(days=1)
    last_day, total = db.session.execute(
        select(
            func.coalesce(func.sum(RefusedAttempts.refused).filter(RefusedAttempts.hour >= since), 0),
            func.coalesce(func.sum(RefusedAttempts.refused), 0),
        ).where(RefusedAttempts.statement_id == statement_id)
    ).one()
    return Refusals(int(last_day), int(total))


# Flags -------------------------------------------------------------------------


def _key(signal: Signal):
    return {
        Signal.address: Signature.ip_hash,
        Signal.domain: Signature.email_domain,
        Signal.country: Signature.country,
    }[signal]


@dataclass(frozen=True)
class Flag:
    signal: Signal
    value: str
    count: int
    #: What the baseline predicts for the window (None for the address signal).
    expected: float | None
    since: datetime
    until: datetime


def flags(statement: Statement, now: datetime | None = None) -> list[Flag]:
    """Surges in the last window that are far above this statement's normal, largest first."""
    config = current_app.config
    until = now or utcnow()
    since = until - timedelta(minutes=config["ABUSE_WINDOW_MINUTES"])
    baseline_since = since - timedelta(days=config["ABUSE_BASELINE_DAYS"])
    found = [
        Flag(Signal.address, value, count, None, since, until)
        for value, count in _counts(statement, Signal.address, since, until)
        if count >= config["ABUSE_ADDRESS_THRESHOLD"]
    ]
    window_total = _total(statement, since, until)
    baseline_total = _total(statement, baseline_since, since)
    if baseline_total >= config["ABUSE_SURGE_MIN"]:
        for signal in (Signal.domain, Signal.country):
            candidates = {
                value: count for value, count in _counts(statement, signal, since, until)
                if count >= config["ABUSE_SURGE_MIN"]
            }
            if not candidates:
                continue
            usual = dict(_counts(statement, signal, baseline_since, since, among=candidates))
            for value, count in candidates.items():
                expected = window_total * (usual.get(value, 0) + 1) / (baseline_total + 1)
                if count >= config["ABUSE_SURGE_FACTOR"] * expected:
                    found.append(Flag(signal, value, count, round(expected, 1), since, until))
    return sorted(found, key=lambda flag: flag.count, reverse=True)


def _in_window(statement: Statement, since: datetime, until: datetime) -> list:
    # Status is named in full so both databases walk the (statement, status, created) index.
    return [
        Signature.statement_id == statement.id,
        Signature.status.in_(_STANDING),
        Signature.featured.is_(False),
        Signature.created_at >= since,
        Signature.created_at <= until,
    ]


def _counts(statement, signal: Signal, since, until, among=None) -> list[tuple[str, int]]:
    key = _key(signal)
    query = (
        select(key, func.count())
        .where(*_in_window(statement, since, until), key.is_not(None), key != "")
        .group_by(key)
    )
    if among is not None:
        query = query.where(key.in_(list(among)))
    return [(value, int(count)) for value, count in db.session.execute(query)]


def _total(statement: Statement, since: datetime, until: datetime) -> int:
    return db.session.scalar(select(func.count()).where(*_in_window(statement, since, until)))


# Hiding a flagged batch, and undoing it ------------------------------------------


def hide_batch(statement: Statement, signal: Signal, value: str, since: datetime,
               until: datetime, actor) -> HiddenBatch:
    """Hide every standing signature of the flagged surge; remembers each one's status."""
    if not since < until <= utcnow():
        raise AbuseError(_("That flag is not valid any more. Reload the page and try again."))
    key = _key(signal)
    signatures = db.session.scalars(
        select(Signature)
        .where(*_in_window(statement, since, until), key == value)
        .order_by(Signature.id)
    ).all()
    batch = HiddenBatch(statement_id=statement.id, signal=signal, value=value,
                        since=since, until=until, hidden_by=actor.email)
    for signature in signatures:
        db.session.refresh(signature, with_for_update=True)
        if signature.status not in _STANDING:
            continue
        batch.members.append(
            HiddenBatchMember(signature_id=signature.id, previous_status=signature.status)
        )
        change_signature(signature, status=SignatureStatus.hidden)
    if not batch.members:
        db.session.rollback()
        raise AbuseError(_("Those signatures have already been hidden or withdrawn."))
    batch.hidden_count = len(batch.members)
    db.session.add(batch)
    db.session.flush()
    record("abuse.hide_batch", f"statement:{statement.slug}",
           f"batch {batch.id}: {batch.hidden_count} signatures sharing one {signal.value}",
           actor=actor)
    db.session.commit()
    return batch


def undo_batch(batch: HiddenBatch, actor) -> int:
    """Put back the signatures a batch hid, each to the status it had; returns how many.

    One that has changed since (shown again by hand, withdrawn, erased) is left as it is.
    """
    db.session.refresh(batch, with_for_update=True)
    if batch.undone_at is not None:
        raise AbuseError(_("This batch has already been put back."))
    restored = 0
    for member in batch.members:
        signature = db.session.get(Signature, member.signature_id)
        db.session.refresh(signature, with_for_update=True)
        if signature.status is SignatureStatus.hidden:
            change_signature(signature, status=member.previous_status)
            restored += 1
    batch.undone_at = utcnow()
    batch.undone_by = actor.email
    record("abuse.undo_batch", f"statement:{batch.statement.slug}",
           f"batch {batch.id}: {restored} signatures put back", actor=actor)
    db.session.commit()
    return restored


def batches(statement: Statement) -> list[HiddenBatch]:
    return list(db.session.scalars(
        select(HiddenBatch)
        .where(HiddenBatch.statement_id == statement.id)
        .order_by(HiddenBatch.hidden_at.desc(), HiddenBatch.id.desc())
    ))


def get_batch(statement: Statement, batch_id: int) -> HiddenBatch:
    return db.first_or_404(
        select(HiddenBatch).where(HiddenBatch.id == batch_id,
                                  HiddenBatch.statement_id == statement.id)
    )


# Held signatures -----------------------------------------------------------------

#: How many signatures of a held group the review lists; approving or hiding acts on all.
HELD_SHOWN = 50


@dataclass(frozen=True)
class HeldGroup:
    """Held signatures that came from one network address."""

    #: The keyed hash of the address, or "" once it was dropped (IP_HASH_RETENTION_DAYS).
    address: str
    count: int
    #: The first HELD_SHOWN of them, oldest first.
    shown: list[Signature]


def _held(statement: Statement, address: str | None = None) -> list:
    """Conditions for the statement's held signatures, of one address when `address` is given."""
    conditions = [
        Signature.statement_id == statement.id,
        Signature.status == SignatureStatus.pending,
        Signature.held_reason.is_not(None),
    ]
    if address is not None:
        conditions.append(Signature.ip_hash == address if address else Signature.ip_hash.is_(None))
    return conditions


def held_groups(statement: Statement) -> list[HeldGroup]:
    """The statement's held signatures, one group per network address, largest first."""
    address = func.coalesce(Signature.ip_hash, "")
    sizes = db.session.execute(
        select(address, func.count())
        .where(*_held(statement))
        .group_by(address)
        .order_by(func.count().desc(), address)
    )
    return [HeldGroup(value, int(count), held_from(statement, value, HELD_SHOWN))
            for value, count in sizes.all()]


def held_group(statement: Statement, address: str) -> HeldGroup:
    """The held signatures from one address, or an AbuseError when none is held any more."""
    count = db.session.scalar(select(func.count()).where(*_held(statement, address)))
    if not count:
        raise _no_longer_held()
    return HeldGroup(address, count, held_from(statement, address, HELD_SHOWN))


def held_from(statement: Statement, address: str, limit: int | None = None) -> list[Signature]:
    """The statement's held signatures from one address ("": from addresses no longer kept)."""
    return list(db.session.scalars(
        select(Signature)
        .where(*_held(statement, address))
        .order_by(Signature.created_at, Signature.id)
        .limit(limit)
    ))


def held_signature(statement: Statement, signature_id: int) -> Signature:
    return db.first_or_404(
        select(Signature).where(Signature.id == signature_id,
                                Signature.statement_id == statement.id)
    )


def approve_held(statement: Statement, signatures: list[Signature], actor) -> int:
    """An organizer vouches for held signatures: each counts, as if its emailed link was opened."""
    return _settle_held(statement, signatures, "abuse.approve_held", actor,
                        status=SignatureStatus.confirmed, confirmed_at=utcnow())


def hide_held(statement: Statement, signatures: list[Signature], actor) -> int:
    """Keep held signatures from ever counting: their emailed links no longer confirm them."""
    return _settle_held(statement, signatures, "abuse.hide_held", actor,
                        status=SignatureStatus.hidden)


def _settle_held(statement: Statement, signatures: list[Signature], action: str, actor,
                 **values) -> int:
    """Apply `values` to each signature still held once locked and re-read; returns how many.

    One audit entry names them all.
    """
    settled = []
    for signature in signatures:
        db.session.refresh(signature, with_for_update=True)
        if signature.is_held:
            change_signature(signature, **values)
            settled.append(signature.id)
    if not settled:
        db.session.rollback()
        raise _no_longer_held()
    record(action, f"statement:{statement.slug}",
           f"{len(settled)} held signatures: "
           + ", ".join(f"signature:{signature_id}" for signature_id in settled),
           actor=actor)
    db.session.commit()
    announce_crossed(statement)
    return len(settled)


def _no_longer_held() -> AbuseError:
    return AbuseError(_("Those signatures are no longer held: they have been confirmed, "
                        "approved or hidden since."))
