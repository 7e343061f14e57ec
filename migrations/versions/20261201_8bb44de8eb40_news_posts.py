"""News posts and briefings, and the statements and events each is linked to.

Revision ID: 8bb44de8eb40
Revises: a91e5b0c0d15
Create Date: 2026-12-01 21:11:57.160893

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8bb44de8eb40'
down_revision = 'a91e5b0c0d15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('takeaways', sa.JSON(), nullable=False),
    sa.Column('quotations', sa.JSON(), nullable=False),
    sa.Column('source_title', sa.String(length=300), nullable=False),
    sa.Column('source_publisher', sa.String(length=200), nullable=False),
    sa.Column('source_date', sa.Date(), nullable=True),
    sa.Column('source_url', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='poststatus', native_enum=False, length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_posts_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('slug', name=op.f('uq_posts_slug'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_status'), ['status'], unique=False)

    op.create_table('post_statements',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_statements_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_post_statements_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'statement_id', name=op.f('pk_post_statements'))
    )
    with op.batch_alter_table('post_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_statements_statement_id'), ['statement_id'], unique=False)

    op.create_table('post_events',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_post_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_events_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'event_id', name=op.f('pk_post_events'))
    )
    with op.batch_alter_table('post_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_events_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('post_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_events_event_id'))

    op.drop_table('post_events')
    with op.batch_alter_table('post_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_statements_statement_id'))

    op.drop_table('post_statements')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_status'))
        batch_op.drop_index(batch_op.f('ix_posts_published_at'))
        batch_op.drop_index(batch_op.f('ix_posts_campaign_id'))

    op.drop_table('posts')
