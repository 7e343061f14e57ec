"""Statistics counters per statement (day, hour, country, source), milestones, tracked links and the public-statistics switch.

The signatures already stored are counted into the new counters here (`signatures reconcile`
recomputes them the same way at any time).

Revision ID: 3e690c2b5dfc
Revises: b7c41e2a9d10
Create Date: 2026-12-01 21:13:00.337288

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e690c2b5dfc'
down_revision = 'b7c41e2a9d10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_stat_shards',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('breakdown', sa.Enum('day', 'hour', 'country', 'source', name='breakdown', native_enum=False, length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('signed', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_signature_stat_shards_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'breakdown', 'key', 'shard', name=op.f('pk_signature_stat_shards'))
    )
    op.create_table('statement_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('figure', sa.Integer(), nullable=False),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_milestones_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_milestones')),
    sa.UniqueConstraint('statement_id', 'figure', name=op.f('uq_statement_milestones_statement_id_figure'))
    )
    op.create_table('statement_statistics_settings',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_statistics_settings_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_statement_statistics_settings'))
    )
    op.create_table('tracked_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('partner', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(statement_id IS NULL) <> (event_id IS NULL)', name=op.f('ck_tracked_links_one_target')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tracked_links_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_tracked_links_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracked_links')),
    sa.UniqueConstraint('event_id', 'code', name=op.f('uq_tracked_links_event_id_code')),
    sa.UniqueConstraint('statement_id', 'code', name=op.f('uq_tracked_links_statement_id_code'))
    )
    _count_existing_signatures()


def _count_existing_signatures():
    if op.get_bind().dialect.name == "postgresql":
        utc = "timezone('UTC', created_at)"
        day, hour = f"to_char({utc}, 'YYYY-MM-DD')", f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24')"
    else:  # SQLite keeps the UTC time as text, "2026-12-01 21:11:23.000000"
        day, hour = "substr(created_at, 1, 10)", "replace(substr(created_at, 1, 13), ' ', 'T')"
    for breakdown, key in (("day", day), ("hour", hour), ("country", "coalesce(country, '')"),
                           ("source", "source")):
        op.execute(
            "INSERT INTO signature_stat_shards "
            "(statement_id, breakdown, key, shard, signed, counted) "
            f"SELECT statement_id, '{breakdown}', {key}, 0, count(*), "
            "sum(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) "
            f"FROM signatures GROUP BY statement_id, {key}"
        )


def downgrade():
    op.drop_table('tracked_links')
    op.drop_table('statement_statistics_settings')
    op.drop_table('statement_milestones')
    op.drop_table('signature_stat_shards')
