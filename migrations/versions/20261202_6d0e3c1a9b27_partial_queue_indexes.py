"""Partial indexes where an index only finds waiting rows: an update's queued recipients, the
recipients handed to the outbox, the outbox's pending and sending messages.

Queuing an update writes every recipient queued and without an outbox message, so the index of
outbox messages no longer takes a row for each of them; the queued ones are read in order
(`hand_over`) from an index of only those, not by scanning past every recipient already
handed over; the outbox's index keeps only what the senders look for, not every message
ever sent.

Revision ID: 6d0e3c1a9b27
Revises: fa0d88fb5242
Create Date: 2026-12-02 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d0e3c1a9b27'
down_revision = 'fa0d88fb5242'
branch_labels = None
depends_on = None

QUEUED = sa.text("status = 'queued'")
HANDED = sa.text("outbox_message_id IS NOT NULL")
WAITING = sa.text("status IN ('pending', 'sending')")


def upgrade():
    with op.batch_alter_table('update_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_update_recipients_update_status')
        batch_op.drop_index('ix_update_recipients_outbox_message_id')
        batch_op.create_index('ix_update_recipients_queued', ['id'], unique=False,
                              postgresql_where=QUEUED, sqlite_where=QUEUED)
        batch_op.create_index('ix_update_recipients_outbox_message_id', ['outbox_message_id'],
                              unique=False, postgresql_where=HANDED, sqlite_where=HANDED)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_next')
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'],
                              unique=False, postgresql_where=WAITING, sqlite_where=WAITING)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_next')
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'],
                              unique=False)
    with op.batch_alter_table('update_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_update_recipients_outbox_message_id')
        batch_op.drop_index('ix_update_recipients_queued')
        batch_op.create_index('ix_update_recipients_outbox_message_id', ['outbox_message_id'],
                              unique=False)
        batch_op.create_index('ix_update_recipients_update_status', ['update_id', 'status'],
                              unique=False)
