"""OPD goods/services budgets per year (the UMK share's denominator)

Revision ID: c9e0c0de0009
Revises: b8e0c0de0008
Create Date: 2026-12-01 00:09:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e0c0de0009'
down_revision = 'b8e0c0de0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opd_budgets",
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_opd_budgets_amount_positive")),
        sa.ForeignKeyConstraint(["opd_id"], ["organisations.id"], name=op.f("fk_opd_budgets_opd_id_organisations")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_opd_budgets_updated_by_id_users")),
        sa.PrimaryKeyConstraint("opd_id", "year", name=op.f("pk_opd_budgets")),
    )


def downgrade():
    op.drop_table("opd_budgets")
