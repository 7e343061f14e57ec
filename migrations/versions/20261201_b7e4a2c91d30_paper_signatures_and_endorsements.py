"""Paper signatures (how each signature was entered, the day collected, who entered it) and
organisations' endorsements of statements.

Revision ID: b7e4a2c91d30
Revises: eae5ee033b6c
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4a2c91d30'
down_revision = 'eae5ee033b6c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.add_column(sa.Column(
            "entry_method", sa.Enum("online", "paper", "imported", name="entrymethod",
                                    native_enum=False, length=16),
            server_default="online", nullable=False,
        ))
        batch_op.add_column(sa.Column("collected_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_signatures_entered_by_id_organizers"), "organizers",
            ["entered_by_id"], ["id"], ondelete="SET NULL",
        )
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.Enum("trade_union", "political_party", "ngo", "community_group",
                                  "student_group", "faith_group", "business", "other",
                                  name="organisationkind", native_enum=False, length=32),
                  nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.Column("logo_digest", sa.String(length=16), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=True),
        sa.Column("contact_email_index", sa.String(length=64), nullable=True),
        sa.Column("status", sa.Enum("pending", "approved", name="endorsementstatus",
                                    native_enum=False, length=16), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["entered_by_id"], ["organizers.id"],
                                name=op.f("fk_endorsements_entered_by_id_organizers"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"],
                                name=op.f("fk_endorsements_statement_id_statements"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("statement_id", "name_key",
                            name=op.f("uq_endorsements_statement_id_name_key")),
    )
    op.create_index("ix_endorsements_statement_status_name", "endorsements",
                    ["statement_id", "status", "name_key"], unique=False)
    op.create_index(op.f("ix_endorsements_contact_email_index"), "endorsements",
                    ["contact_email_index"], unique=False)
    # The curated signatories of imported statements: no address, no consent version.
    op.execute(
        "UPDATE signatures SET entry_method = 'imported' "
        "WHERE featured AND email_index IS NULL AND consent_version = ''"
    )


def downgrade():
    op.drop_index(op.f("ix_endorsements_contact_email_index"), table_name="endorsements")
    op.drop_index("ix_endorsements_statement_status_name", table_name="endorsements")
    op.drop_table("endorsements")
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signatures_entered_by_id_organizers"), type_="foreignkey"
        )
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("collected_on")
        batch_op.drop_column("entry_method")
