"""holidays as data, deadlines per party

Revision ID: c3e0c0de0003
Revises: b2e0c0de0002
Create Date: 2026-12-01 00:03:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e0c0de0003'
down_revision = 'b2e0c0de0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
