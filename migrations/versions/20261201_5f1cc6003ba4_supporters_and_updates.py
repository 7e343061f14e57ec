"""Add supporters, email updates and their recipients; event reminders; List-Unsubscribe in the outbox.

One supporter per campaign and blind index; one recipient row per update and address.

Revision ID: 5f1cc6003ba4
Revises: b7e4a2c91d30
Create Date: 2026-12-01 21:14:18.575638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1cc6003ba4'
down_revision = 'b7e4a2c91d30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supporters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('email_index', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('not_subscribed', 'pending', 'subscribed', 'unsubscribed', 'bounced', 'complained', name='subscriptionstate', native_enum=False, length=16), nullable=False),
    sa.Column('subscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('subscribed_via', sa.Enum('signing', 'registration', 'subscribe_form', name='subscriptionsource', native_enum=False, length=16), nullable=True),
    sa.Column('consent_version', sa.String(length=40), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_supporters_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporters')),
    sa.UniqueConstraint('campaign_id', 'email_index', name=op.f('uq_supporters_campaign_id_email_index'))
    )
    with op.batch_alter_table('supporters', schema=None) as batch_op:
        batch_op.create_index('ix_supporters_campaign_state', ['campaign_id', 'state'], unique=False)

    op.create_table('updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.Enum('campaign', 'statement', 'event', name='audiencekind', native_enum=False, length=16), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('registrant_group', sa.Enum('all', 'confirmed', 'waiting', 'checked_in', name='registrantgroup', native_enum=False, length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('reminder_for_event_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'sending', 'sent', 'stopped', name='updatestatus', native_enum=False, length=16), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('audience_size', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_updates_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_updates_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reminder_for_event_id'], ['events.id'], name=op.f('fk_updates_reminder_for_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_updates_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_updates')),
    sa.UniqueConstraint('reminder_for_event_id', name=op.f('uq_updates_reminder_for_event_id'))
    )
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.create_index('ix_updates_status_send_at', ['status', 'send_at'], unique=False)

    op.create_table('update_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('email_index', sa.String(length=64), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'handed', 'skipped', name='recipientstatus', native_enum=False, length=16), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_update_recipients_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supporter_id'], ['supporters.id'], name=op.f('fk_update_recipients_supporter_id_supporters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_update_recipients_update_id_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_recipients')),
    sa.UniqueConstraint('update_id', 'email_index', name=op.f('uq_update_recipients_update_id_email_index'))
    )
    with op.batch_alter_table('update_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_recipients_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_recipients_supporter_id'), ['supporter_id'], unique=False)
        batch_op.create_index('ix_update_recipients_update_status', ['update_id', 'status'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_hours', sa.Integer(), server_default='24', nullable=False))
        batch_op.add_column(sa.Column('what_to_bring', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('what_to_bring')
        batch_op.drop_column('reminder_hours')

    with op.batch_alter_table('update_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_update_recipients_update_status')
        batch_op.drop_index(batch_op.f('ix_update_recipients_supporter_id'))
        batch_op.drop_index(batch_op.f('ix_update_recipients_outbox_message_id'))

    op.drop_table('update_recipients')
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_index('ix_updates_status_send_at')

    op.drop_table('updates')
    with op.batch_alter_table('supporters', schema=None) as batch_op:
        batch_op.drop_index('ix_supporters_campaign_state')

    op.drop_table('supporters')
