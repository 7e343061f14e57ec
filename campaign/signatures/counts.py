"""Signature counts kept in sharded rows, so signing never queues on one hot row.

A change of a signature's standing adds +1/-1 to one shard chosen at random in the
same transaction; the public count is the sum of the shards (an indexed read of at
most COUNT_SHARDS rows, never a COUNT(*) over signatures). `reconcile` recomputes
the exact figures and reports any drift.
"""
import random
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from campaign.extensions import db
from campaign.signatures import breakdown
from campaign.signatures.models import Signature, SignatureCountShard, SignatureStatus


@dataclass(frozen=True)
class Totals:
    counted: int = 0
    listed: int = 0

    @property
    def unlisted(self) -> int:
        return self.counted - self.listed


#: Written out because SQLAlchemy compiles an ON CONFLICT statement afresh on every use (it
#: cannot cache one) and this runs for every signature; both databases accept it as is.
_SHARD_COLUMNS = "signature_count_shards (statement_id, shard, counted, listed)"
_ADD_TO_COUNTS = (
    " ON CONFLICT (statement_id, shard) DO UPDATE SET "
    "counted = signature_count_shards.counted + excluded.counted, "
    "listed = signature_count_shards.listed + excluded.listed"
)
_ADD_TO_SHARD = text(
    f"INSERT INTO {_SHARD_COLUMNS} VALUES (:statement_id, :shard, :counted, :listed)"
    + _ADD_TO_COUNTS
)


def adjust(statement_id: int, counted: int, listed: int, touch: bool = False) -> None:
    """Add to one random shard within the caller's transaction.

    `touch` writes even a zero: the breakdown counters are about to move, and `reconcile`
    must find this transaction holding a shard (see `signatures.breakdown`).
    """
    if not counted and not listed and not touch:
        return
    db.session.execute(_ADD_TO_SHARD, {
        "statement_id": statement_id,
        "shard": random.randrange(current_app.config["COUNT_SHARDS"]),
        "counted": counted,
        "listed": listed,
    })


def count_stored(statement_id: int, signatures: list[Signature]) -> None:
    """Count signatures just stored, in the caller's transaction: the count shards by their
    standing, the breakdown counters (day, hour, country, source) as made, counted and opted
    in to updates.

    Curated and imported signatories are counted by this, a statement's worth at once; a
    signature signed or entered from paper by `count_new` (or, on PostgreSQL, in its INSERT),
    the same figures for one row. No signature is left out of a count or a chart.

    The count shard is written even when nothing counted moves (signatures awaiting
    confirmation add 0 to `counted` and `listed`): their `signed` breakdown counters still
    move, and that zero write is the row lock that makes `reconcile` (which locks every
    count shard, then recounts the signatures and the breakdowns) wait for this transaction.
    Without it a reconcile could delete the counters, this transaction commit, and the
    recount read the new row too: its "signed" counted twice (a test in
    tests/test_sources_and_statistics.py pauses a signing to show it).
    """
    counted = listed = 0
    by_keys: Counter = Counter()
    for signature in signatures:
        standing_now = standing(signature)
        counted, listed = counted + standing_now[0], listed + standing_now[1]
        keys = tuple(sorted(breakdown.keys_of(signature).items()))
        by_keys[keys, "signed"] += 1
        by_keys[keys, "counted"] += standing_now[0]
        # Curated signatories come here before their flush sets the default (False).
        by_keys[keys, "opted_in"] += 1 if signature.wants_updates else 0
    if not signatures:
        return
    adjust(statement_id, counted, listed, touch=True)
    shard = random.randrange(current_app.config["COUNT_SHARDS"])
    for keys in sorted({keys for keys, _column in by_keys}):
        breakdown.add(statement_id, dict(keys), by_keys[keys, "signed"],
                      by_keys[keys, "counted"], by_keys[keys, "opted_in"], shard=shard)


def counted_as_inserted(insert: str) -> str:
    """`insert` (one signature's INSERT ... RETURNING id, statement_id, or no row) as a
    PostgreSQL statement that also counts the new row, as `count_stored` does, and returns its
    id: one round trip instead of three. Its parameters: `counters_of_new`'s.

    The count shard is written before the breakdown counters (they wait for its RETURNING),
    the order `count_stored` keeps and `reconcile` relies on.
    """
    return (
        f"WITH new AS ({insert}), "
        f"shard AS (INSERT INTO {_SHARD_COLUMNS} SELECT statement_id, :shard, :counted, :listed "
        f"FROM new{_ADD_TO_COUNTS} RETURNING 1), "
        f"counters AS ({breakdown.add_for_new_row('new', after='shard')}) "
        "SELECT id FROM new"
    )


def counters_of_new(signature: Signature) -> dict:
    """What `signature`, about to be stored, adds to its count shard and its breakdown
    counters: the parameters of `counted_as_inserted` and `count_new`. Worked out before the
    INSERT, so that on SQLite the write lock is held for the statements alone."""
    counted, listed = standing(signature)
    return {
        "statement_id": signature.statement_id,
        "shard": random.randrange(current_app.config["COUNT_SHARDS"]),
        "counted": counted, "listed": listed, "signed": 1,
        "opted_in": 1 if signature.wants_updates else 0,
        **breakdown.parameters_of(breakdown.keys_of(signature)),
    }


def count_new(counters: dict) -> None:
    """Count one signature just stored (`counters_of_new`), in the caller's transaction: its
    count shard first, even when nothing counted moves (why: `count_stored`), then its
    breakdown counters. What `counted_as_inserted` does on PostgreSQL in the INSERT itself."""
    db.session.execute(_ADD_TO_SHARD, counters)
    breakdown.add_figures(counters)


def standing(signature: Signature) -> tuple[int, int]:
    """What a signature adds to (counted, listed) as it stands now."""
    if signature.status is not SignatureStatus.confirmed:
        return 0, 0
    return 1, 1 if signature.show_publicly else 0


def totals(statement_id: int) -> Totals:
    return totals_for([statement_id]).get(statement_id, Totals())


def totals_for(statement_ids: list[int]) -> dict[int, Totals]:
    if not statement_ids:
        return {}
    rows = db.session.execute(
        select(
            SignatureCountShard.statement_id,
            func.sum(SignatureCountShard.counted),
            func.sum(SignatureCountShard.listed),
        )
        .where(SignatureCountShard.statement_id.in_(statement_ids))
        .group_by(SignatureCountShard.statement_id)
    )
    return {statement_id: Totals(int(c), int(l)) for statement_id, c, l in rows}


def exact_totals(statement_id: int) -> Totals:
    counted, listed = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Signature.show_publicly, 1), else_=0)), 0),
        ).where(
            Signature.statement_id == statement_id,
            Signature.status == SignatureStatus.confirmed,
        )
    ).one()
    return Totals(int(counted), int(listed))


def reconcile(statement_id: int) -> tuple[Totals, Totals]:
    """Replace the shards with the exact figures; returns (before, after) so drift can be reported.

    Safe while people sign: every shard row is made to exist, then all are locked before
    counting. A signing transaction that already moved a shard commits first (and is
    counted); one that has not yet moved a shard waits for this commit (and adds its +1
    on top). So nothing is counted twice or lost. On SQLite the first write holds the
    database's single write lock, which does the same.
    """
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(SignatureCountShard)
        .values([
            {"statement_id": statement_id, "shard": shard, "counted": 0, "listed": 0}
            for shard in range(current_app.config["COUNT_SHARDS"])
        ])
        .on_conflict_do_nothing(index_elements=["statement_id", "shard"])
    )
    shards = db.session.execute(
        select(SignatureCountShard.counted, SignatureCountShard.listed)
        .where(SignatureCountShard.statement_id == statement_id)
        .order_by(SignatureCountShard.shard)
        .with_for_update()
    ).all()
    before = Totals(sum(row.counted for row in shards), sum(row.listed for row in shards))
    after = exact_totals(statement_id)
    is_first = SignatureCountShard.shard == 0
    db.session.execute(
        update(SignatureCountShard)
        .where(SignatureCountShard.statement_id == statement_id)
        .values(
            counted=case((is_first, after.counted), else_=0),
            listed=case((is_first, after.listed), else_=0),
        )
        .execution_options(synchronize_session=False)
    )
    breakdown.recount(statement_id)
    db.session.commit()
    return before, after
