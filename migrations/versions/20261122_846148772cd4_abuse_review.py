"""Add abuse review tables: refused signing attempts per hour, hidden batches and their members.

Revision ID: 846148772cd4
Revises: be0a15006cc2
Create Date: 2026-11-22 02:03:33.811836

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '846148772cd4'
down_revision = 'be0a15006cc2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hidden_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.Enum('address', 'domain', 'country', name='signal', native_enum=False, length=16), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_count', sa.Integer(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_by', sa.String(length=320), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_hidden_batches_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hidden_batches'))
    )
    with op.batch_alter_table('hidden_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hidden_batches_statement_id'), ['statement_id'], unique=False)

    op.create_table('refused_attempts',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_refused_attempts_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'hour', 'shard', name=op.f('pk_refused_attempts'))
    )
    op.create_table('hidden_batch_members',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.Enum('pending', 'confirmed', 'hidden', 'withdrawn', name='signaturestatus', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['hidden_batches.id'], name=op.f('fk_hidden_batch_members_batch_id_hidden_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], name=op.f('fk_hidden_batch_members_signature_id_signatures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', 'signature_id', name=op.f('pk_hidden_batch_members'))
    )
    with op.batch_alter_table('hidden_batch_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hidden_batch_members_signature_id'), ['signature_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hidden_batch_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hidden_batch_members_signature_id'))

    op.drop_table('hidden_batch_members')
    op.drop_table('refused_attempts')
    with op.batch_alter_table('hidden_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hidden_batches_statement_id'))

    op.drop_table('hidden_batches')