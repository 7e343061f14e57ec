"""A new signature's email and supporter record are written by the mail sender: the
signatures it has still to write them for are marked, and found through a partial index.

Signatures made before this have had their email already.

Revision ID: e3a9c5d1f7b2
Revises: d547e636a7ee
Create Date: 2026-12-02 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9c5d1f7b2'
down_revision = 'd547e636a7ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_due', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_index('ix_signatures_email_due', 'signatures', ['id'], unique=False,
                    postgresql_where=sa.text('email_due'), sqlite_where=sa.text('email_due'))


def downgrade():
    op.drop_index('ix_signatures_email_due', table_name='signatures',
                  postgresql_where=sa.text('email_due'), sqlite_where=sa.text('email_due'))
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('email_due')
