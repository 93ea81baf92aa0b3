"""product revisions, TKDN certificates and SIINas, preference ranks

Revision ID: a1e0c0de0001
Revises: 7e1a7f1e0001
Create Date: 2026-12-01 00:01:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e0c0de0001'
down_revision = '7e1a7f1e0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
