"""Add a session token to each organizer: every session carries it, and a new one ends them all.

Revision ID: 7c98debcdc01
Revises: e887aad85e00
Create Date: 2026-12-01 17:44:30.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c98debcdc01'
down_revision = 'e887aad85e00'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), server_default='', nullable=False))

    organizers = sa.table('organizers', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for organizer_id in connection.scalars(sa.select(organizers.c.id)).all():
        connection.execute(
            organizers.update().where(organizers.c.id == organizer_id)
            .values(session_token=secrets.token_urlsafe(32))
        )


def downgrade():
    with op.batch_alter_table('organizers', schema=None) as batch_op:
        batch_op.drop_column('session_token')
