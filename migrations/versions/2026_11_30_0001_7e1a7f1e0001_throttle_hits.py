"""throttle hits: failed logins and other counted attempts shared by every worker

Revision ID: 7e1a7f1e0001
Revises: 0a4de7500001
Create Date: 2026-11-30 00:01:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e1a7f1e0001'
down_revision = '0a4de7500001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_hits'))
    )
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_hits_key_at', ['key', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_throttle_hits_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_hits_expires_at'))
        batch_op.drop_index('ix_throttle_hits_key_at')

    op.drop_table('throttle_hits')
