"""Search the dashboard's signatories in milliseconds at a million: an FTS5 trigram index on
SQLite, and the list's own order as an index on both databases.

SQLite: `signatures_search`, an FTS5 table with the trigram tokenizer over each signature's
name and affiliation (its content read from `signatures`, kept by three triggers; migrations/env.py re-makes them after a later revision's table
rebuild), finds
"contains, any case" matches of three characters or more without reading every row, as the
pg_trgm index of revision 4f0f105dbdd9 does on PostgreSQL. Both: an index in the order the
dashboard lists signatures (curated first in their order, then newest first), so a page is
read from the index and stops after it. Neither can be declared on a model; both are named
in campaign.extensions (HAND_MADE_INDEXES, HAND_MADE_TABLES) so autogenerate leaves them be.

Revision ID: f75e5ea4c4ab
Revises: 5a1e0c0de5ee
Create Date: 2026-12-01 21:50:00.000000

"""
from alembic import op

from campaign.signatures.search import SQLITE_SEARCH_TRIGGERS, restore_sqlite_search_triggers


# revision identifiers, used by Alembic.
revision = 'f75e5ea4c4ab'
down_revision = '5a1e0c0de5ee'
branch_labels = None
depends_on = None

LIST_ORDER_INDEX = "ix_signatures_list_order"
SEARCH_TABLE = "signatures_search"


def upgrade():
    op.execute(
        f"CREATE INDEX {LIST_ORDER_INDEX} ON signatures "
        "(statement_id, featured DESC, featured_position, created_at DESC, id DESC)"
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(name, affiliation, "
        "content='signatures', content_rowid='id', tokenize='trigram')"
    )
    restore_sqlite_search_triggers(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_SEARCH_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    op.execute(f"DROP INDEX IF EXISTS {LIST_ORDER_INDEX}")
