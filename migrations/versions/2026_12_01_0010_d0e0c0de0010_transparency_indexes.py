"""indexes for the public transparency portal

Revision ID: d0e0c0de0010
Revises: c9e0c0de0009
Create Date: 2026-12-01 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0e0c0de0010'
down_revision = 'c9e0c0de0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
