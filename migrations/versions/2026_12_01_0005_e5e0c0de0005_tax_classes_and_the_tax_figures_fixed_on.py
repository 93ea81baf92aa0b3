"""tax classes and the tax figures fixed on the order at the SP

Revision ID: e5e0c0de0005
Revises: d4e0c0de0004
Create Date: 2026-12-01 00:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5e0c0de0005'
down_revision = 'd4e0c0de0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
