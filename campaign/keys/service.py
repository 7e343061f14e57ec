"""Key rotation: every encrypted value moved under the current DATA_KEY, a batch at a time.

The encrypted columns are found in the schema (every `EncryptedText` column), so a column
encrypted later is rotated with the others. Values are read and written as stored
ciphertext; only rows holding a value under another key are touched, so a run that stops
(or is stopped) leaves nothing half done, and running it again carries on. Each row's
UPDATE matches only the values it read: a row the app changed meanwhile (the app writes
under the current key already) is left as it now is.
"""
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Table, Text, and_, bindparam, column, func, not_, or_, select, table

from campaign.common.crypto import EncryptedText, keyring
from campaign.extensions import db

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class Progress:
    """Where a rotation stands after one batch of one table."""

    table: str
    #: Rows re-encrypted in this batch, in this table so far, and still to do in it.
    rows: int
    done: int
    left: int


@dataclass(frozen=True)
class _EncryptedTable:
    #: The table with its id and encrypted columns as plain text: values as stored.
    stored: Table
    #: Each encrypted column's name and purpose (its associated data).
    purposes: dict[str, str]


def _encrypted_tables() -> list[_EncryptedTable]:
    found = []
    for model_table in db.metadata.sorted_tables:
        purposes = {c.name: c.type.purpose for c in model_table.columns
                    if isinstance(c.type, EncryptedText)}
        if purposes:
            stored = table(model_table.name, column("id"),
                           *(column(name, Text) for name in purposes))
            found.append(_EncryptedTable(stored, purposes))
    return found


def _under_other_key(encrypted: _EncryptedTable):
    """Rows holding a value that is not under the current key."""
    prefix = keyring().current_prefix
    return or_(*(
        and_(value != "", not_(value.startswith(prefix, autoescape=True)))
        for value in (encrypted.stored.c[name] for name in encrypted.purposes)
    ))


def left_under_other_keys() -> int:
    """How many rows still hold a value under a retired (or unknown) key."""
    return sum(
        db.session.scalar(select(func.count()).select_from(encrypted.stored)
                          .where(_under_other_key(encrypted)))
        for encrypted in _encrypted_tables()
    )


def rotate(batch_size: int = DEFAULT_BATCH) -> Iterator[Progress]:
    """Re-encrypt under the current key, committing and yielding after each batch.

    A value no configured key opens raises `UndecryptableValue` (its batch is not written).
    """
    keys = keyring()
    for encrypted in _encrypted_tables():
        stored, names = encrypted.stored, list(encrypted.purposes)
        stale = _under_other_key(encrypted)
        rewrite = (
            stored.update()
            .where(stored.c.id == bindparam("row_id"),
                   *(stored.c[name].is_not_distinct_from(bindparam(f"read_{name}"))
                     for name in names))
            .values({name: bindparam(f"new_{name}") for name in names})
        )
        left = db.session.scalar(select(func.count()).select_from(stored).where(stale))
        done = last_id = 0
        while rows := db.session.execute(
            select(stored).where(stored.c.id > last_id, stale).order_by(stored.c.id)
            .limit(batch_size)
        ).all():
            db.session.execute(rewrite, [
                {"row_id": row.id}
                | {f"read_{name}": getattr(row, name) for name in names}
                | {f"new_{name}": keys.reencrypt(value, purpose) if value else value
                   for name, purpose in encrypted.purposes.items()
                   for value in [getattr(row, name)]}
                for row in rows
            ])
            db.session.commit()
            last_id = rows[-1].id
            done += len(rows)
            yield Progress(stored.name, len(rows), done, max(left - done, 0))
