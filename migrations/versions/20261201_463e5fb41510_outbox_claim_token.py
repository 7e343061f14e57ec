"""Add the claim token to outbox messages, so a sender writes outcomes only under its own claim.

With it the sender records a message as "sending" before handing it to the mail server
and "sent" after, each under its claim: a message handed over is never claimed again,
and one claimed but never handed over can be released at once. The "sending" status
needs no schema change (statuses are stored as text); going down turns any message left
"sending" into a failed one, which the older code knows.

Revision ID: 463e5fb41510
Revises: fc2a13f22866
Create Date: 2026-12-01 17:54:58.727703

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '463e5fb41510'
down_revision = 'fc2a13f22866'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))


def downgrade():
    op.execute(
        "UPDATE outbox_messages SET status = 'failed', "
        "last_error = 'The schema was downgraded while this message was being sent: "
        "it may have been delivered.' WHERE status = 'sending'"
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claim_token')
