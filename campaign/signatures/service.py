"""Signing, confirming, withdrawing and moderating signatures, with the counts kept right.

Every change to a signature goes through `change_signature`, which moves the sharded
counts by the difference the change makes. Functions that finish something a person
asked for (sign, confirm, withdraw, a moderation action) commit; the building blocks
(`change_signature`, `erase_signature`, `anonymise_signature`) work inside the caller's
transaction so the privacy commands can erase many signatures in one.
"""
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import get_locale, gettext as _
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy import delete as delete_rows  # `delete` here removes a signature
from sqlalchemy.orm import make_transient_to_detached

from campaign.common.emails import InvalidEmail, validated_email
from campaign.common.errors import DomainError
from campaign.common.forms import INVALID_EMAIL
from campaign.common.time import utcnow
from campaign.extensions import db, passing_locked_rows
from campaign.mail.service import ask_for_delivery, for_visitors
from campaign.audit.service import record
from campaign.common.hashing import email_index, ip_hash
from campaign.common.limits import keeps_pace
from campaign.signatures import breakdown, counts, emails, milestones
from campaign.signatures.signals import signed, status_changed
from campaign.signatures.models import (
    EntryMethod, HoldReason, ResendRequest, Signature, SignatureStatus, indexed_email,
)
from campaign.statements.models import Statement
from campaign.statements.service import SigningTerms, is_open_for_signing

#: What an erased signature's name becomes: the row stays so the history adds up.
WITHDRAWN_NAME = "Withdrawn"
#: What an anonymised (still counted) signature's name becomes.
ANONYMOUS_NAME = "Anonymous"


class SignatureError(DomainError):
    """A rule refused the action; the message can be shown to the person."""


class SigningClosed(SignatureError):
    pass


class StatementChanged(SigningClosed):
    """The statement changed (or went) since its terms were read: nothing was stored, and the
    signature is to be taken again on its terms as they are now."""

    def __init__(self):
        super().__init__(_("This statement changed as you signed. Please sign again."))


class SigningState(enum.Enum):
    open = "open"
    not_yet_open = "not_yet_open"
    closed = "closed"

    @property
    def is_open(self) -> bool:
        return self is SigningState.open

    @property
    def is_not_yet_open(self) -> bool:
        return self is SigningState.not_yet_open


def signing_state(statement: Statement) -> SigningState:
    if is_open_for_signing(statement):
        return SigningState.open
    if statement.opens_at is not None and utcnow() < statement.opens_at:
        return SigningState.not_yet_open
    return SigningState.closed


# Changing a signature, counts included -------------------------------------


def change_signature(signature: Signature, **values) -> Signature:
    """The one way a signature changes: lock and re-read it, apply `values`, move the counts.

    Part of the caller's transaction. The row is locked (PostgreSQL) and re-read first,
    so two changes at once queue instead of both counting from the same old standing.
    """
    _lock(signature)
    before, status = counts.standing(signature), signature.status
    keys_before = breakdown.keys_of(signature)
    for name, value in values.items():
        setattr(signature, name, value)
    after = counts.standing(signature)
    counts.adjust(signature.statement_id, after[0] - before[0], after[1] - before[1],
                  touch=breakdown.keys_of(signature) != keys_before)
    breakdown.move(signature, keys_before, before[0], after[0])
    if signature.status is not status:
        status_changed.send(signature, before=status)
    return signature


def _lock(signature: Signature) -> None:
    """Write out pending changes, then lock the row and read it afresh."""
    db.session.flush()
    db.session.refresh(signature, with_for_update=True)


def _wiped(placeholder: str) -> dict:
    """The personal fields of a signature, emptied; the name becomes `placeholder`."""
    return {
        "name": placeholder,
        "email": None,
        "affiliation": "",
        "comment": "",
        "ip_hash": None,
        # The site someone came from says something about them; the link's code (a partner's,
        # kept in the statistics) does not, and stays.
        "referrer_domain": "",
    }


def erase_signature(signature: Signature, reason: str, actor=None) -> Signature:
    """Withdraw a signature and erase its personal data; it leaves counts and lists at once.

    Part of the caller's transaction; audited with `reason` (no personal data in it).
    """
    _leave_curated_list(signature)
    change_signature(signature, status=SignatureStatus.withdrawn, show_publicly=False,
                     personal_capacity=False, **_wiped(WITHDRAWN_NAME))
    record("signature.erase", _target(signature), reason, actor=actor)
    return signature


def anonymise_signature(signature: Signature, reason: str, actor=None) -> Signature:
    """Erase the personal data but keep the signature counted (status and country stay).

    It is no longer listed by name. Part of the caller's transaction; audited.
    """
    _leave_curated_list(signature)
    change_signature(signature, show_publicly=False, personal_capacity=False,
                     **_wiped(ANONYMOUS_NAME))
    record("signature.anonymise", _target(signature), reason, actor=actor)
    return signature


def _target(signature: Signature) -> str:
    return f"signature:{signature.id}"


# Signing ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignatoryDetails:
    name: str
    email: str
    affiliation: str = ""
    country: str = ""
    personal_capacity: bool = False
    show_publicly: bool = False
    comment: str = ""
    #: Ticked "Email me updates about this campaign".
    wants_updates: bool = False
    #: The code of the link that brought them, and the referring site's domain ("" for none).
    source: str = ""
    referrer_domain: str = ""


def sign(statement: Statement | SigningTerms, details: SignatoryDetails,
         ip_address: str | None = None) -> bool:
    """Add a signature, or tell the address by email that it has already signed.

    A new signature gets an email either way: the confirmation link, or (on a statement
    that needs no confirmation) a receipt; both carry the link to withdraw. The mail sender
    writes it, the person's supporter record, and for a signature confirmed as it arrives its
    webhooks and any milestone it reached, once this request has been answered
    (`emails.tell_new_signatories`): only what must be counted with the signature is written
    here.

    Signing from one network address faster than one person does (SIGN_HOLD_AFTER, per
    statement: a meeting on one Wi-Fi, or a script) is never refused for that: the signature
    is held, pending with its reason even where the statement needs no confirmation, until
    its emailed link is opened or an organizer approves it in the abuse review. A repeat
    from such an address sends no email, so nobody can flood a mailbox by signing again.

    Returns whether it was held, never whether the address had signed: the browser must not
    learn that. One row per (statement, email's blind index) is guaranteed by the database; the
    insert does nothing on a clash, so concurrent duplicates leave one row and no broken
    request. A statement that needs no confirmation gets its signature written as confirmed.
    Every write is one statement that reads nothing back (the new row's id at most): the
    signature, its count shard, its breakdown counters; then the commit. On PostgreSQL those
    three are one statement, which a request that has read nothing sends on its own: it
    commits itself, with no BEGIN and COMMIT to wait for. Nothing of the statement is read:
    the INSERT stores nothing if the statement has changed since `statement` was read
    (StatementChanged).
    """
    if not is_open_for_signing(statement):
        raise SigningClosed(_("Signing this statement has closed."))
    email = checked_email(details.email)
    address = ip_hash(ip_address) if ip_address else None
    held = address is not None and not keeps_pace("SIGN_HOLD_AFTER", str(statement.id), address)
    confirmed = not (statement.requires_confirmation or held)
    now = utcnow()
    if not db.session().in_transaction() and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    signature = insert_signature(
        version=statement.updated_at,
        statement_id=statement.id,
        revision=statement.revision,
        name=details.name,
        affiliation=details.affiliation,
        personal_capacity=details.personal_capacity,
        email=email,
        **indexed_email(email),
        country=details.country,
        show_publicly=details.show_publicly,
        comment=details.comment,
        status=SignatureStatus.confirmed if confirmed else SignatureStatus.pending,
        confirmed_at=now if confirmed else None,
        consent_version=current_app.config["CONSENT_VERSION"],
        held_reason=HoldReason.busy_address if held else None,
        ip_hash=address,
        source=details.source,
        referrer_domain=details.referrer_domain,
        wants_updates=details.wants_updates,
        language=str(get_locale()),
        email_due=True,
        created_at=now,
        updated_at=now,
    )
    if signature is None:
        db.session.commit()  # what a repeat changes is changed together, in a transaction
        existing = _signature_by_email(statement.id, email)
        if existing is not None and details.wants_updates:
            _opt_in(existing)
        if existing is not None and not held:
            emails.remind(existing, email, statement)
        signed.send(statement, email=email, name=details.name,
                    wants_updates=details.wants_updates)
    db.session.commit()
    ask_for_delivery()
    return held


def _opt_in(signature: Signature) -> None:
    """A repeat signer ticked "Email me updates": their signature says so from now on, counted
    once among those who asked however many repeats come at once."""
    opted = db.session.execute(
        update(Signature)
        .where(Signature.id == signature.id, Signature.wants_updates.is_(False))
        .values(wants_updates=True, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if opted:
        breakdown.add(signature.statement_id, breakdown.keys_of(signature), 0, 0, 1)


def insert_signature(version: datetime | None = None, **values) -> Signature | None:
    """The one way a new signature is stored (signed online or entered from paper): None when
    the statement already has one from that address. Part of the caller's transaction.

    A row nobody else can see yet: counted as it was written (counts and breakdowns), with no
    lock to take; on PostgreSQL by the INSERT itself. A pending one, too, touches a count
    shard (why: `counts.count_stored`). With `version` (the statement's `updated_at` as the
    caller read it), nothing is stored if the statement is no longer at it: StatementChanged.
    """
    values.setdefault("updated_at", values.get("created_at") or utcnow())
    row = _with_defaults(**values)
    signature = Signature(**row)
    counters = counts.counters_of_new(signature)
    connection = db.session.connection()
    guard = {} if version is None else {"statement_version": version}
    if connection.dialect.name == "postgresql":
        signature.id = connection.scalar(_insert(True, bool(guard)), row | counters | guard)
    else:
        signature.id = connection.scalar(_insert(False, bool(guard)), row | guard)
        if signature.id is not None:
            counts.count_new(counters)
    if signature.id is None:
        if guard and _statement_version(signature.statement_id) != version:
            raise StatementChanged()
        return None
    _as_stored(signature)
    if signature.status is SignatureStatus.confirmed and not signature.email_due:
        status_changed.send(signature, before=None)  # else the mail sender's, with its email
    return signature


@cache
def _insert(counted: bool, guarded: bool):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the new row's id (no row on a clash).

    `counted`: on PostgreSQL, the new row's counters written in the same statement
    (`counts.counted_as_inserted`). `guarded`: stored only while its statement is at
    `statement_version`. Written as text from the table's columns because SQLAlchemy compiles
    an ON CONFLICT statement afresh on every use (it cannot cache one); both databases accept
    it as is.
    """
    table = Signature.__table__
    written = [column for column in table.columns if not column.primary_key]
    values = ", ".join(":" + column.key for column in written)
    rows = (
        f"SELECT {values} WHERE EXISTS (SELECT 1 FROM {Statement.__tablename__} "
        "WHERE id = :statement_id AND updated_at = :statement_version)"
        if guarded else f"VALUES ({values})"
    )
    insert = (
        f"INSERT INTO {table.name} ({', '.join(column.name for column in written)}) {rows} "
        "ON CONFLICT (statement_id, email_index) DO NOTHING RETURNING id, statement_id"
    )
    parameters = [bindparam(column.key, type_=column.type) for column in written]
    if guarded:
        parameters.append(bindparam("statement_version", type_=Statement.updated_at.type))
    return text(counts.counted_as_inserted(insert) if counted else insert).bindparams(*parameters)


def _statement_version(statement_id: int) -> datetime | None:
    return db.session.scalar(select(Statement.updated_at).where(Statement.id == statement_id))


def _with_defaults(**values) -> dict:
    """`values` for every written column, the model's plain defaults (or NULL) filling the gaps."""
    row = {
        column.key: column.default.arg if column.default is not None and column.default.is_scalar
        else None
        for column in Signature.__table__.columns if not column.primary_key
    }
    return row | values


def _as_stored(signature: Signature) -> None:
    """Give the session `signature`, just written from its values (and given its id), as the
    stored row: nothing is read back (nor the address decrypted again)."""
    make_transient_to_detached(signature)
    db.session.add(signature)


def resend_confirmation(statement: Statement, email: str) -> None:
    """Ask for the confirmation link again; the mail sender looks the address up later.

    Only the request is written here, never a signature read, so the request does the same
    work, and takes as long, whether or not the address signed (`send_requested_links`).
    """
    email = checked_email(email)
    db.session.add(ResendRequest(statement_id=statement.id, email=email))
    db.session.commit()
    ask_for_delivery()


def send_requested_links() -> None:
    """Turn waiting resend requests into emails; the mail sender runs this every round.

    A pending signature gets its confirmation link again, a standing one "already signed",
    an address that never signed nothing. Each request is taken by one sender (SKIP LOCKED
    on PostgreSQL; the DELETE decides on SQLite) and gone in the transaction that writes its
    email. The emails count against the address's daily limit (`mail.service.for_visitors`):
    asking again from many places fills nobody's inbox.
    """
    while True:
        waiting = (select(ResendRequest).order_by(ResendRequest.id)
                   .limit(current_app.config["MAIL_BATCH_SIZE"]))
        requests = db.session.scalars(passing_locked_rows(waiting)).all()
        if not requests:
            db.session.commit()
            return
        taken = set(db.session.scalars(
            delete_rows(ResendRequest)
            .where(ResendRequest.id.in_([request.id for request in requests]))
            .returning(ResendRequest.id)
            .execution_options(synchronize_session=False)
        ))
        with for_visitors():
            for request in requests:
                if request.id not in taken:
                    continue
                signature = _signature_by_email(request.statement_id, request.email)
                if signature is not None:
                    emails.remind(signature, request.email, signature.statement)
        db.session.commit()


def checked_email(value: str) -> str:
    """The address in the shape it will be written to, or a SignatureError saying what is wrong."""
    try:
        return validated_email(value)
    except InvalidEmail as error:
        raise SignatureError(str(INVALID_EMAIL), field="email") from error


def _signature_by_email(statement_id: int, email: str) -> Signature | None:
    return db.session.scalar(
        select(Signature).where(
            Signature.statement_id == statement_id,
            Signature.email_index == email_index(email),
        )
    )


def confirm(signature: Signature) -> bool:
    """Confirm a pending signature (it starts counting); True when it now stands confirmed."""
    _lock(signature)
    if signature.status is SignatureStatus.pending:
        change_signature(signature, status=SignatureStatus.confirmed, confirmed_at=utcnow())
        db.session.commit()
        milestones.announce_crossed(signature.statement)
    return signature.status is SignatureStatus.confirmed


def withdraw(signature: Signature) -> None:
    """The signatory's own withdrawal from an emailed link: erased at once."""
    erase_signature(signature, "withdrawn by the signatory", actor="signatory")
    db.session.commit()


# Moderation (dashboard) ---------------------------------------------------------


def get_signature(signature_id: int) -> Signature:
    return db.get_or_404(Signature, signature_id)


def hide(signature: Signature) -> None:
    """Take a confirmed signature out of counts and lists, or keep a held one from ever
    counting (its emailed link no longer confirms it); either is kept for the record."""
    _moderate(signature, lambda: signature.can_be_hidden, "signature.hide",
              status=SignatureStatus.hidden)


def show(signature: Signature) -> None:
    _moderate(signature, lambda: signature.can_be_shown, "signature.show",
              status=SignatureStatus.confirmed)


def _moderate(signature: Signature, allowed: Callable[[], bool], action: str, **values) -> None:
    """Apply `values` when `allowed()` holds for the signature as locked and re-read."""
    _lock(signature)
    if not allowed():
        raise SignatureError(_("This signature cannot be changed that way in its current state."))
    change_signature(signature, **values)
    record(action, _target(signature), _statement_target(signature))
    db.session.commit()
    milestones.announce_crossed(signature.statement)


def correct_details(signature: Signature, name: str, affiliation: str) -> None:
    """An organizer's correction of a name or affiliation (a typo, a title)."""
    if not signature.can_be_corrected:
        raise SignatureError(_("A withdrawn signature has no details left to correct."))
    changed = [
        field for field, value in (("name", name), ("affiliation", affiliation))
        if getattr(signature, field) != value
    ]
    if not changed:
        return
    change_signature(signature, name=name, affiliation=affiliation)
    record("signature.edit", _target(signature),
           f"{_statement_target(signature)}: {', '.join(changed)} corrected")
    db.session.commit()


def delete(signature: Signature) -> None:
    """Remove the row for good (spam, a mistake); it leaves counts and lists first."""
    target, statement_target = _target(signature), _statement_target(signature)
    _leave_curated_list(signature)
    change_signature(signature, status=SignatureStatus.withdrawn)
    counts.adjust(signature.statement_id, 0, 0, touch=True)
    breakdown.add(signature.statement_id, breakdown.keys_of(signature), -1, 0,
                  -int(signature.wants_updates))
    db.session.delete(signature)
    record("signature.delete", target, statement_target)
    db.session.commit()


def feature(signature: Signature) -> None:
    """Add to the end of the curated list shown first on the statement page."""
    _lock_curated_list(signature.statement_id)
    _lock(signature)
    if signature.featured:
        return
    if not signature.can_be_featured:
        raise SignatureError(_(
            "Only a confirmed signature whose signatory chose to be shown publicly can be curated."
        ))
    last = _last_curated_position(signature.statement_id)
    change_signature(signature, featured=True, featured_position=last + 1)
    record("signature.feature", _target(signature), _statement_target(signature))
    db.session.commit()


def add_curated(statement: Statement, signatories) -> int:
    """Add "initial signatories" (name, affiliation, personal_capacity each) after any
    already curated, confirmed and counted; in the caller's transaction. Returns how many.
    """
    if not signatories:
        return 0
    _lock_curated_list(statement.id)
    last = _last_curated_position(statement.id)
    now = utcnow()
    signatures = [
        Signature(
            statement_id=statement.id,
            revision=statement.revision,
            name=signatory.name,
            affiliation=signatory.affiliation,
            personal_capacity=signatory.personal_capacity,
            show_publicly=True,
            featured=True,
            featured_position=last + offset,
            entry_method=EntryMethod.imported,
            status=SignatureStatus.confirmed,
            created_at=now,
            confirmed_at=now,
        )
        for offset, signatory in enumerate(signatories, start=1)
    ]
    db.session.add_all(signatures)
    counts.count_stored(statement.id, signatures)
    return len(signatories)


def _last_curated_position(statement_id: int) -> int:
    return db.session.scalar(
        select(func.max(Signature.featured_position)).where(
            Signature.statement_id == statement_id, Signature.featured.is_(True)
        )
    ) or 0


def unfeature(signature: Signature) -> None:
    if _leave_curated_list(signature):
        record("signature.unfeature", _target(signature), _statement_target(signature))
    db.session.commit()


def move(signature: Signature, direction: str) -> bool:
    """Swap a curated signatory with its neighbour ("up" or "down"); False at either end."""
    if direction not in ("up", "down"):
        raise ValueError(f"unknown direction {direction!r}")
    _lock_curated_list(signature.statement_id)
    _lock(signature)
    if not signature.featured:
        raise SignatureError(_("Only curated signatories have a place in the order."))
    position = signature.featured_position
    neighbour = db.session.scalar(
        select(Signature).where(
            Signature.statement_id == signature.statement_id,
            Signature.featured.is_(True),
            Signature.featured_position == (position - 1 if direction == "up" else position + 1),
        )
    )
    if neighbour is None:
        return False
    neighbour.featured_position, signature.featured_position = position, neighbour.featured_position
    record("signature.move", _target(signature),
           f"{_statement_target(signature)}: {position} to {signature.featured_position}")
    db.session.commit()
    return True


def _leave_curated_list(signature: Signature) -> bool:
    """Unfeature, closing the gap so positions stay 1..N; False when it was not curated."""
    _lock_curated_list(signature.statement_id)
    _lock(signature)
    if not signature.featured:
        return False
    position = signature.featured_position
    change_signature(signature, featured=False, featured_position=None)
    db.session.execute(
        update(Signature)
        .where(
            Signature.statement_id == signature.statement_id,
            Signature.featured.is_(True),
            Signature.featured_position > position,
        )
        .values(featured_position=Signature.featured_position - 1)
        .execution_options(synchronize_session="fetch")
    )
    return True


def _lock_curated_list(statement_id: int) -> None:
    """Hold the statement row so curation changes queue; NO KEY UPDATE lets signing go on."""
    db.session.execute(
        select(Statement.id).where(Statement.id == statement_id).with_for_update(key_share=True)
    )


def _statement_target(signature: Signature) -> str:
    return f"statement:{signature.statement.slug}"
