"""Paper signatures (how each signature was entered, the day collected, who entered it) and
organisations' endorsements of statements.

Revision ID: b7e4a2c91d30
Revises: 5a1e0c0de5ee
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4a2c91d30'
down_revision = '5a1e0c0de5ee'
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
    # The curated signatories of imported statements: no address, no consent version.
    op.execute(
        "UPDATE signatures SET entry_method = 'imported' "
        "WHERE featured AND email_index IS NULL AND consent_version = ''"
    )


def downgrade():
    with op.batch_alter_table("signatures") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signatures_entered_by_id_organizers"), type_="foreignkey"
        )
        batch_op.drop_column("entered_by_id")
        batch_op.drop_column("collected_on")
        batch_op.drop_column("entry_method")
