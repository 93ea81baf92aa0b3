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


def upgrade():
    pass


def downgrade():
    pass
