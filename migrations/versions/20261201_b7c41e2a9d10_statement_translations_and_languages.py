"""Statement translations and their revisions, event translations; the language of signatures, registrations, organizers.

Revision ID: b7c41e2a9d10
Revises: b7d3e5f1a2c4
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e2a9d10'
down_revision = 'b7d3e5f1a2c4'
branch_labels = None
depends_on = None

TABLES_WITH_A_LANGUAGE = ("signatures", "registrations", "organizers")


def upgrade():
    op.create_table(
        "statement_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("demands", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("original_digest", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"],
                                name=op.f("fk_statement_translations_statement_id_statements"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_translations")),
        sa.UniqueConstraint("statement_id", "language",
                            name=op.f("uq_statement_translations_statement_id_language")),
    )
    op.create_table(
        "statement_translation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("translation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("demands", sa.JSON(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["translation_id"], ["statement_translations.id"],
            name=op.f("fk_statement_translation_revisions_translation_id_statement_translations"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_translation_revisions")),
        sa.UniqueConstraint("translation_id", "number",
                            name=op.f("uq_statement_translation_revisions_translation_id_number")),
    )
    op.create_table(
        "event_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_event_translations_event_id_events"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_translations")),
        sa.UniqueConstraint("event_id", "language",
                            name=op.f("uq_event_translations_event_id_language")),
    )
    for table in TABLES_WITH_A_LANGUAGE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("language", sa.String(length=16), server_default="en", nullable=False)
            )


def downgrade():
    for table in TABLES_WITH_A_LANGUAGE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("language")
    op.drop_table("event_translations")
    op.drop_table("statement_translation_revisions")
    op.drop_table("statement_translations")
