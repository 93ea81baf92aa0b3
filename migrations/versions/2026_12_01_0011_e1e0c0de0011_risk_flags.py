"""risk flags for the Inspectorate, and their reviews

Revision ID: e1e0c0de0011
Revises: d0e0c0de0010
Create Date: 2026-12-01 00:11:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1e0c0de0011'
down_revision = 'd0e0c0de0010'
branch_labels = None
depends_on = None


KINDS = ("split", "price", "concentration", "fast_order", "preference", "tkdn", "conflict", "late_payment",
         "penalty_waived")


def upgrade():
    op.create_table(
        "risk_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="flagkind", native_enum=False, length=20), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_found_at", sa.DateTime(), nullable=False),
        sa.Column("last_found_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["opd_id"], ["organisations.id"], name=op.f("fk_risk_flags_opd_id_organisations")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.org_id"],
                                name=op.f("fk_risk_flags_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"], name=op.f("fk_risk_flags_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flags")),
        sa.UniqueConstraint("key", name=op.f("uq_risk_flags_key")),
    )
    with op.batch_alter_table("risk_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_flags_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_flags_opd_id"), ["opd_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_flags_supplier_id"), ["supplier_id"], unique=False)
        batch_op.create_index("ix_risk_flags_reviewed_kind", ["reviewed_at", "kind"], unique=False)


def downgrade():
    op.drop_table("risk_flags")
