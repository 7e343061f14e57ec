"""Add the site settings: the campaign's name, tagline, logo and accent colour, and the
statement the home page features, edited by owners on /dashboard/settings.

One row (id 1, held by a check constraint), absent until an owner first saves; the logo is
kept as the re-encoded PNG with a digest of it for its address.

Revision ID: 2301297e2f89
Revises: 8ad9a9155a48
Create Date: 2026-12-01 18:14:21.266178

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2301297e2f89'
down_revision = '8ad9a9155a48'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tagline', sa.String(length=150), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('featured_statement_id', sa.Integer(), nullable=True),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('logo_digest', sa.String(length=16), nullable=False),
    sa.Column('logo_width', sa.Integer(), nullable=False),
    sa.Column('logo_height', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_site_settings_one_row')),
    sa.ForeignKeyConstraint(['featured_statement_id'], ['statements.id'], name=op.f('fk_site_settings_featured_statement_id_statements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings'))
    )


def downgrade():
    op.drop_table('site_settings')
