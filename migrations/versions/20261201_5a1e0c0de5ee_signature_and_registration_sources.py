"""Where a signature or registration came from: the link's source code and the referring domain.

Revision ID: 5a1e0c0de5ee
Revises: 721cacd77ab2
Create Date: 2026-12-01 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1e0c0de5ee'
down_revision = '721cacd77ab2'
branch_labels = None
depends_on = None

TABLES = ("signatures", "registrations")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("source", sa.String(length=64), server_default="", nullable=False))
            batch_op.add_column(
                sa.Column("referrer_domain", sa.String(length=253), server_default="", nullable=False)
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("referrer_domain")
            batch_op.drop_column("source")
