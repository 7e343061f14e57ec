"""Index signatories' name, affiliation and email by trigrams, so dashboard search is fast.

PostgreSQL only: a GIN index (pg_trgm) on lower(name), lower(affiliation) and lower(email)
serves the dashboard's "contains, any case" search without reading every signature of a
statement. SQLite, the embedded default for small deployments, keeps the plain scan (it
has no trigram index for ordinary tables): this revision does nothing there. No model can
declare such an index, so campaign.extensions.HAND_MADE_INDEXES keeps autogenerate from
proposing to drop it.

Revision ID: 4f0f105dbdd9
Revises: 846148772cd4
Create Date: 2026-11-22 02:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4f0f105dbdd9'
down_revision = '846148772cd4'
branch_labels = None
depends_on = None

INDEX = "ix_signatures_search_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        f"CREATE INDEX {INDEX} ON signatures USING gin "
        "(lower(name) gin_trgm_ops, lower(affiliation) gin_trgm_ops, lower(email) gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
