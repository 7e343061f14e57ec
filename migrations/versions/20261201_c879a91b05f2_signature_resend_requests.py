"""Add signature resend requests: "send my confirmation link again", resolved by the mail sender.

The resend form only writes the request down (the same work whether or not the address
signed); the mail sender looks the address up and writes the email, then deletes the request.

Revision ID: c879a91b05f2
Revises: 463e5fb41510
Create Date: 2026-12-01 17:46:20.945790

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c879a91b05f2'
down_revision = '463e5fb41510'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_resend_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_signature_resend_requests_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_resend_requests'))
    )


def downgrade():
    op.drop_table('signature_resend_requests')
