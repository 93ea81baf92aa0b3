"""assisted supplier registration, business size confirmed at verification

Revision ID: d4e0c0de0004
Revises: c3e0c0de0003
Create Date: 2026-12-01 00:04:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e0c0de0004'
down_revision = 'c3e0c0de0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
