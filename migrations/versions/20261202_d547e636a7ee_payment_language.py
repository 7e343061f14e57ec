"""The language a payment was made in, so the giver's receipt is written in it.

The provider's webhook that settles a payment has no language of its own; a gift has no
registration to take one from. Payments made before this are taken as English.

Revision ID: d547e636a7ee
Revises: 6d0e3c1a9b27
Create Date: 2026-12-02 07:54:54.516226

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd547e636a7ee'
down_revision = '6d0e3c1a9b27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), server_default='en',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('language')
