"""what the conflict-of-interest check compares: a supplier's owner and bank account,
and officials' particulars from the personnel records

Revision ID: f2e0c0de0012
Revises: e1e0c0de0011
Create Date: 2026-12-01 00:12:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2e0c0de0012'
down_revision = 'e1e0c0de0011'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable columns added in place (no table rebuild on SQLite): suppliers registered
    # before give them on their business page.
    with op.batch_alter_table("suppliers") as batch:
        batch.add_column(sa.Column("owner_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("bank_name", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("bank_account", sa.String(length=30), nullable=True))
    op.create_table(
        "official_particulars",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("npwp", sa.String(length=16), nullable=True),
        sa.Column("bank_account", sa.String(length=30), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_official_particulars_user_id_users")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_official_particulars_updated_by_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_official_particulars")),
    )


def downgrade():
    op.drop_table("official_particulars")
    with op.batch_alter_table("suppliers") as batch:
        batch.drop_column("bank_account")
        batch.drop_column("bank_name")
        batch.drop_column("owner_name")
