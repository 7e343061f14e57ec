"""Count the mail each address is sent per statement or event and day, so it can be capped.

However many requests ask, one address gets at most MAIL_PER_RECIPIENT_DAILY messages a day
about one statement or event. A row is keyed by a keyed hash of the normalised address
(never the address), what the messages are about ("statement" or "event" and its id) and
the UTC day; the atomic upsert-increment in `mail.service.enqueue` relies on that key.

Revision ID: fc2a13f22866
Revises: 7c98debcdc01
Create Date: 2026-12-01 17:47:22.754164

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fc2a13f22866'
down_revision = '7c98debcdc01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_recipient_counts',
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('about', sa.String(length=16), nullable=False),
    sa.Column('about_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('recipient_hash', 'about', 'about_id', 'day', name=op.f('pk_mail_recipient_counts'))
    )


def downgrade():
    op.drop_table('mail_recipient_counts')
