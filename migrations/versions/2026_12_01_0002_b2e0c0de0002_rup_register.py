"""RUP register: packages under one Kode RUP, lawful grounds for going down a preference tier

Revision ID: b2e0c0de0002
Revises: a1e0c0de0001
Create Date: 2026-12-01 00:02:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2e0c0de0002'
down_revision = 'a1e0c0de0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
