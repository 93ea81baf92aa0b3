"""officials' NIP, payment method and SP2D, document numbering

Revision ID: f6e0c0de0006
Revises: e5e0c0de0005
Create Date: 2026-12-01 00:06:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6e0c0de0006'
down_revision = 'e5e0c0de0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
