"""The update opt-in rate: whether each signer or registrant ticked "Email me updates about this
campaign", and a counter of those signatures beside `signed` and `counted`.

Until now the choice was kept only on the supporter's record (`subscribed_via`, `subscribed_at`),
so the signatures and registrations already stored learn it from there: one subscribed by
signing (or registering) in the same moment as the row was written (the subscription is made in
the same transaction, a few milliseconds later for a signature, earlier for a registration) was
ticked. What the record no longer tells (a signer already subscribed, a subscription replaced
since, a supporter erased) stays "not ticked". The counters are then filled from the signatures,
as `signatures reconcile` recomputes them at any time.

Revision ID: fa0d88fb5242
Revises: a4d1c07e5b93
Create Date: 2026-12-02 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fa0d88fb5242'
down_revision = 'a4d1c07e5b93'
branch_labels = None
depends_on = None

#: How far apart the row and the subscription its form made can be written.
SAME_MOMENT_SECONDS = 10


def upgrade():
    # Plain ALTER TABLE, also on SQLite: rebuilding `signatures` would drop its search triggers.
    for table in ("signatures", "registrations"):
        op.add_column(table, sa.Column("wants_updates", sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    op.add_column("signature_stat_shards",
                  sa.Column("opted_in", sa.Integer(), server_default="0", nullable=False))
    _learn_the_choices_already_made()
    _count_the_opt_ins()


def _seconds_apart(later: str, earlier: str, low: int, high: int) -> str:
    """SQL: `later` comes `low` to `high` seconds after `earlier` (either may be negative)."""
    if op.get_bind().dialect.name == "postgresql":
        return (f"{later} BETWEEN {earlier} + interval '{low} seconds' "
                f"AND {earlier} + interval '{high} seconds'")
    # SQLite keeps the UTC time as text, "2026-12-01 21:11:23.000000".
    difference = f"(julianday({later}) - julianday({earlier})) * 86400"
    return f"{difference} BETWEEN {low} AND {high}"


def _learn_the_choices_already_made():
    # A signature: subscribed by signing just after it was stored, and no later signature of the
    # address in the campaign comes closer to that moment.
    op.execute(
        "UPDATE signatures SET wants_updates = TRUE "
        "WHERE email_index IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM statements JOIN supporters"
        "  ON supporters.campaign_id = statements.campaign_id"
        " WHERE statements.id = signatures.statement_id"
        "  AND supporters.email_index = signatures.email_index"
        "  AND supporters.subscribed_via = 'signing'"
        f"  AND {_seconds_apart('supporters.subscribed_at', 'signatures.created_at', -1, SAME_MOMENT_SECONDS)}"
        "  AND NOT EXISTS ("
        "   SELECT 1 FROM signatures AS closer JOIN statements AS theirs"
        "    ON theirs.id = closer.statement_id"
        "   WHERE theirs.campaign_id = statements.campaign_id"
        "    AND closer.email_index = signatures.email_index"
        "    AND closer.created_at > signatures.created_at"
        "    AND closer.created_at <= supporters.subscribed_at))"
    )
    # A registration: the subscription is made just before the registration is written.
    op.execute(
        "UPDATE registrations SET wants_updates = TRUE "
        "WHERE email_index IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM events JOIN supporters ON supporters.campaign_id = events.campaign_id"
        " WHERE events.id = registrations.event_id"
        "  AND supporters.email_index = registrations.email_index"
        "  AND supporters.subscribed_via = 'registration'"
        f"  AND {_seconds_apart('registrations.created_at', 'supporters.subscribed_at', -1, SAME_MOMENT_SECONDS)})"
    )


def _count_the_opt_ins():
    """Each key's opt-ins on its shard 0 (made when the key has none there), as reconcile does."""
    if op.get_bind().dialect.name == "postgresql":
        utc = "timezone('UTC', created_at)"
        day, hour = f"to_char({utc}, 'YYYY-MM-DD')", f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24')"
    else:  # SQLite keeps the UTC time as text, "2026-12-01 21:11:23.000000"
        day, hour = "substr(created_at, 1, 10)", "replace(substr(created_at, 1, 13), ' ', 'T')"
    for breakdown, key in (("day", day), ("hour", hour), ("country", "coalesce(country, '')"),
                           ("source", "source")):
        op.execute(
            "INSERT INTO signature_stat_shards "
            "(statement_id, breakdown, key, shard, signed, counted, opted_in) "
            f"SELECT statement_id, '{breakdown}', {key}, 0, 0, 0, count(*) "
            f"FROM signatures WHERE wants_updates GROUP BY statement_id, {key} "
            "ON CONFLICT (statement_id, breakdown, key, shard) "
            "DO UPDATE SET opted_in = excluded.opted_in"
        )


def downgrade():
    op.drop_column("signature_stat_shards", "opted_in")
    for table in ("registrations", "signatures"):
        op.drop_column(table, "wants_updates")
