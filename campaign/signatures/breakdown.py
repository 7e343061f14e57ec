"""Signatures per statement by day, hour, country and source, kept like the counts.

Each signature adds to one counter row per breakdown (one random shard for all four, in one
INSERT ... ON CONFLICT) in the transaction that stores or changes it: `signed` when a row is
stored or deleted, `counted` when its standing moves (`counts.standing`), `opted_in` with
`signed` for a signer who ticked "Email me updates" (`Signature.wants_updates`, fixed when the
signature is stored). The statistics pages read these rows (a statement's days, countries and
sources), never the signatures. `signatures reconcile` recomputes them.

The caller has moved (or touched) one of the statement's count shards first in the same
transaction, so `reconcile`, which locks every count shard before recounting, never runs
between a signature's row and its counters.
"""
import random
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import case, delete, func, insert, select, text

from campaign.extensions import db
from campaign.signatures.models import Breakdown, Signature, SignatureStatShard, SignatureStatus

_COLUMNS = "(statement_id, breakdown, key, shard, signed, counted, opted_in)"
_ROW = "(:statement_id, '{breakdown}', :key_{name}, :shard, :signed, :counted, :opted_in)"
_ADD_TO_COUNTERS = (
    " ON CONFLICT (statement_id, breakdown, key, shard) DO UPDATE SET "
    "signed = signature_stat_shards.signed + excluded.signed, "
    "counted = signature_stat_shards.counted + excluded.counted, "
    "opted_in = signature_stat_shards.opted_in + excluded.opted_in"
)
#: Written out, as `counts._ADD_TO_SHARD` is, since it runs for every signature. The rows go
#: in the same order every time (day, hour, country, source), so two signatures never wait
#: for each other's rows in opposite orders.
_ADD = text(
    f"INSERT INTO signature_stat_shards {_COLUMNS} VALUES "
    + ", ".join(_ROW.format(breakdown=breakdown.value, name=breakdown.value)
                for breakdown in Breakdown)
    + _ADD_TO_COUNTERS
)


def add_for_new_row(new: str, after: str) -> str:
    """SQL that adds one new signature to its counters (what `add` does), for a PostgreSQL
    WITH: `new` names the query that returned its `statement_id`, and nothing is added until
    the query named `after` has run; the keys are the parameters `key_<breakdown>`."""
    keys = ", ".join(f"('{breakdown.value}', :key_{breakdown.value})" for breakdown in Breakdown)
    return (
        f"INSERT INTO signature_stat_shards {_COLUMNS} "
        f"SELECT {new}.statement_id, keys.breakdown, keys.key, :shard, :signed, :counted, "
        f":opted_in FROM {new}, (VALUES {keys}) AS keys (breakdown, key) "
        f"WHERE EXISTS (SELECT FROM {after})" + _ADD_TO_COUNTERS
    )


class Figures(NamedTuple):
    """What the counters of one key add up to."""

    #: Signatures made (any status).
    signed: int = 0
    #: Of those, counted (confirmed).
    counted: int = 0
    #: Of those made, the ones whose signer ticked "Email me updates".
    opted_in: int = 0


def day_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def hour_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def keys_of(signature: Signature) -> dict[str, str]:
    """Where a signature is counted in each breakdown."""
    return {
        Breakdown.day.value: day_key(signature.created_at),
        Breakdown.hour.value: hour_key(signature.created_at),
        Breakdown.country.value: signature.country or "",
        Breakdown.source.value: signature.source or "",
    }


def add(statement_id: int, keys: dict[str, str], signed: int, counted: int, opted_in: int = 0,
        shard: int | None = None) -> None:
    """Add to the counters at `keys` (from `keys_of`) within the caller's transaction."""
    if not signed and not counted and not opted_in:
        return
    add_figures({
        "statement_id": statement_id,
        "shard": random.randrange(current_app.config["COUNT_SHARDS"]) if shard is None else shard,
        "signed": signed,
        "counted": counted,
        "opted_in": opted_in,
        **parameters_of(keys),
    })


def parameters_of(keys: dict[str, str]) -> dict[str, str]:
    """`keys` (from `keys_of`) as the parameters `key_<breakdown>` of this module's SQL."""
    return {f"key_{name}": key for name, key in keys.items()}


def add_figures(parameters: dict) -> None:
    """`add`, its figures given as the SQL's parameters (`statement_id`, `shard`, `signed`,
    `counted`, `opted_in` and the keys): for a caller that has them already."""
    db.session.execute(_ADD, parameters)


def move(signature: Signature, keys_before: dict[str, str], counted_before: int,
         counted_after: int) -> None:
    """A stored signature changed: its counted standing, or (rarely) where it is counted.

    Its opt-in goes with it: `wants_updates` is what the form said and never changes.
    """
    keys_after = keys_of(signature)
    if keys_after == keys_before:
        add(signature.statement_id, keys_after, 0, counted_after - counted_before)
        return
    opted_in = int(signature.wants_updates)
    add(signature.statement_id, keys_before, -1, -counted_before, -opted_in)
    add(signature.statement_id, keys_after, 1, counted_after, opted_in)


def sums(statement_id: int, breakdown: Breakdown, since: str = "") -> dict[str, Figures]:
    """(signed, counted, opted_in) per key of one breakdown, keys from `since` on, in key order."""
    rows = db.session.execute(
        select(SignatureStatShard.key, func.sum(SignatureStatShard.signed),
               func.sum(SignatureStatShard.counted), func.sum(SignatureStatShard.opted_in))
        .where(SignatureStatShard.statement_id == statement_id,
               SignatureStatShard.breakdown == breakdown,
               SignatureStatShard.key >= since)
        .group_by(SignatureStatShard.key)
        .order_by(SignatureStatShard.key)
    )
    return {key: Figures(int(signed), int(counted), int(opted_in))
            for key, signed, counted, opted_in in rows}


def _hour_of_signing():
    """The UTC hour a signature was made, as `hour_key` writes it, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Signature.created_at), 'YYYY-MM-DD"T"HH24')
    # SQLite keeps the UTC time as text, "2026-12-01 21:11:23.000000".
    return func.replace(func.substr(Signature.created_at, 1, 13), " ", "T")


def recount(statement_id: int) -> None:
    """Replace the statement's counters with figures counted from its signatures.

    Inside `counts.reconcile`'s transaction, after it has locked every count shard.
    """
    db.session.execute(
        delete(SignatureStatShard).where(SignatureStatShard.statement_id == statement_id)
    )
    is_counted = func.coalesce(func.sum(case((Signature.status == SignatureStatus.confirmed, 1),
                                             else_=0)), 0)
    is_opted_in = func.coalesce(func.sum(case((Signature.wants_updates, 1), else_=0)), 0)
    hour = _hour_of_signing()
    totals: dict[tuple[Breakdown, str], list[int]] = {}
    for breakdown, column in ((Breakdown.hour, hour), (Breakdown.country, Signature.country),
                              (Breakdown.source, Signature.source)):
        for key, *figures in db.session.execute(
            select(column, func.count(), is_counted, is_opted_in)
            .where(Signature.statement_id == statement_id)
            .group_by(column)
        ):
            figures = [int(figure) for figure in figures]
            totals[(breakdown, key or "")] = figures
            if breakdown is Breakdown.hour:
                day = totals.setdefault((Breakdown.day, key[:10]), [0, 0, 0])
                for position, figure in enumerate(figures):
                    day[position] += figure
    if totals:
        db.session.execute(insert(SignatureStatShard), [
            {"statement_id": statement_id, "breakdown": breakdown, "key": key, "shard": 0,
             "signed": signed, "counted": counted, "opted_in": opted_in}
            for (breakdown, key), (signed, counted, opted_in) in totals.items()
        ])
