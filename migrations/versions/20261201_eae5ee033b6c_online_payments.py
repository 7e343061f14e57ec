"""Pay online: payments and refunds through a provider, places held while paying, the
methods each ticket offers, and an appeal's giving page (address, bounds, suggested gifts).

Revision ID: eae5ee033b6c
Revises: 8bb44de8eb40
Create Date: 2026-12-01 21:12:17.538880

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'eae5ee033b6c'
down_revision = '8bb44de8eb40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ticket', 'gift', name='paymentkind', native_enum=False, length=16), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('email_index', sa.String(length=64), nullable=True),
    sa.Column('amount_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('state', sa.Enum('open', 'paid', 'expired', 'refunded', name='paymentstate', native_enum=False, length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('provider_session_id', sa.String(length=255), nullable=True),
    sa.Column('provider_payment_id', sa.String(length=255), nullable=True),
    sa.Column('checkout_url', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_payments_appeal_id_appeals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_payments_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_payments_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key')),
    sa.UniqueConstraint('provider_session_id', name=op.f('uq_payments_provider_session_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_appeal_id'), ['appeal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_email_index'), ['email_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_registration_id'), ['registration_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.Enum('succeeded', 'pending', 'failed', name='refundstate', native_enum=False, length=16), nullable=False),
    sa.Column('provider_refund_id', sa.String(length=255), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('provider_refund_id', name=op.f('uq_refunds_provider_refund_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'], unique=False)

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slug', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('gift_min_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('gift_max_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('gift_suggestions', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index('ix_appeals_slug', ['slug'], unique=True)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('ticket_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_methods', sa.String(length=100), server_default='pay_later', nullable=False))



def downgrade():
    with op.batch_alter_table('ticket_types', schema=None) as batch_op:
        batch_op.drop_column('payment_methods')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('hold_until')

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_appeals_slug')
        batch_op.drop_column('gift_suggestions')
        batch_op.drop_column('gift_max_minor')
        batch_op.drop_column('gift_min_minor')
        batch_op.drop_column('slug')

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_payment_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_registration_id'))
        batch_op.drop_index(batch_op.f('ix_payments_event_id'))
        batch_op.drop_index(batch_op.f('ix_payments_email_index'))
        batch_op.drop_index(batch_op.f('ix_payments_appeal_id'))

    op.drop_table('payments')
