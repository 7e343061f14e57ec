"""Drop the language of a resend request: never read, the email goes in the signature's language.

A request holds the address for a mail round at most; it keeps no more than the sender needs.

Revision ID: a4d1c07e5b93
Revises: 3e690c2b5dfc
Create Date: 2026-12-02 00:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d1c07e5b93'
down_revision = '3e690c2b5dfc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature_resend_requests', schema=None) as batch_op:
        batch_op.drop_column('locale')


def downgrade():
    with op.batch_alter_table('signature_resend_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=False,
                                      server_default=''))
