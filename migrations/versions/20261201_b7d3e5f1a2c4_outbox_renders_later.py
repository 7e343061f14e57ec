"""The outbox keeps what to render (template, context, language): the sender renders it.

Revision ID: b7d3e5f1a2c4
Revises: 5f1cc6003ba4
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d3e5f1a2c4'
down_revision = '5f1cc6003ba4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("locale", sa.String(length=16), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("context")
        batch_op.drop_column("template")
