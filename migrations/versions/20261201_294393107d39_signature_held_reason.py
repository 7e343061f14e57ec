"""Add why a signature was held: pending until confirmed, though its statement needs no confirmation.

Revision ID: 294393107d39
Revises: c879a91b05f2
Create Date: 2026-12-01 17:59:17.589185

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '294393107d39'
down_revision = 'c879a91b05f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_reason', sa.Enum('busy_address', name='holdreason', native_enum=False, length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('held_reason')
