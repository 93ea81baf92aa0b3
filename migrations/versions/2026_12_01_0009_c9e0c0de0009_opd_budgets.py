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
    pass


def downgrade():
    pass
