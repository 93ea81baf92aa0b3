"""late-delivery penalties at the BAST, waivers, the undelivered rest decided

Revision ID: a7e0c0de0007
Revises: f6e0c0de0006
Create Date: 2026-12-01 00:07:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e0c0de0007'
down_revision = 'f6e0c0de0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("penalty_detail", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("penalty_computed", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("penalty", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("penalty_waived_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("penalty_waiver_reason", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_handovers_penalty_waived_by_id_users", "users",
                                 ["penalty_waived_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("handovers") as batch:
        batch.drop_constraint("fk_handovers_penalty_waived_by_id_users", type_="foreignkey")
        batch.drop_column("penalty_waiver_reason")
        batch.drop_column("penalty_waived_by_id")
        batch.drop_column("penalty")
        batch.drop_column("penalty_computed")
        batch.drop_column("penalty_detail")
