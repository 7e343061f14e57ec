"""Keep money in 64-bit integers: ticket prices and minimums, appeal targets and pledges.

In a currency with four decimals (CLF, UYW) a 32-bit integer of minor units ends near
214,748 of the currency, below an appeal target people mean. PostgreSQL's INTEGER is 32
bits, so its money columns become BIGINT. SQLite's INTEGER already holds 64 bits (the
models keep INTEGER there), so this revision changes nothing on SQLite; rebuilding those
tables in batch mode would also fire their foreign keys (an appeal's events would lose it).
Going back fails if some amount no longer fits in 32 bits, rather than changing it.

Revision ID: 8ad9a9155a48
Revises: 294393107d39
Create Date: 2026-12-01 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ad9a9155a48'
down_revision = '294393107d39'
branch_labels = None
depends_on = None

MONEY_COLUMNS = {
    'appeals': [('target_minor', True)],
    'ticket_types': [('price_minor', False), ('min_price_minor', True)],
    'registrations': [('amount_minor', False)],
}


def _change_type(from_type, to_type):
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(column, existing_type=from_type, type_=to_type,
                                      existing_nullable=nullable)


def upgrade():
    _change_type(sa.Integer(), sa.BigInteger())


def downgrade():
    _change_type(sa.BigInteger(), sa.Integer())
