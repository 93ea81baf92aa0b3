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


_METHOD = sa.Enum('up_gu', 'ls', 'kkpd', name='paymentmethod', native_enum=False, length=20)


def upgrade():
    # Plain ADD COLUMN on both databases (no batch copy: SQLite refuses to drop tables
    # that other tables point at). Uniqueness of the NIP is a unique index, which
    # SQLite can add to an existing table.
    op.add_column('users', sa.Column('nip', sa.String(length=18), nullable=True))
    op.create_index('ix_users_nip', 'users', ['nip'], unique=True)
    op.add_column('organisations', sa.Column('address', sa.String(length=300), nullable=True))
    # Orders placed before the field existed: LS (direct transfer), the usual method.
    op.add_column('orders', sa.Column('payment_method', _METHOD, nullable=False, server_default='ls'))
    op.add_column('payments', sa.Column('sp2d_number', sa.String(length=60), nullable=True))
    op.add_column('payments', sa.Column('sp2d_date', sa.Date(), nullable=True))
    op.add_column('payments', sa.Column('payment_method', _METHOD, nullable=True))
    op.add_column('payments', sa.Column('ppn_receipt', sa.String(length=60), nullable=True))
    op.add_column('payments', sa.Column('pph_receipt', sa.String(length=60), nullable=True))
    # Documents already issued keep the content shape their fingerprints cover.
    op.add_column('order_documents', sa.Column('content_version', sa.SmallInteger(), nullable=False,
                                               server_default='2'))
    op.execute("UPDATE order_documents SET content_version = 1")


def downgrade():
    op.drop_column('order_documents', 'content_version')
    for table, columns in (('payments', ('pph_receipt', 'ppn_receipt', 'payment_method', 'sp2d_date',
                                         'sp2d_number')),
                           ('orders', ('payment_method',)), ('organisations', ('address',))):
        for name in columns:
            op.drop_column(table, name)
    op.drop_index('ix_users_nip', table_name='users')
    op.drop_column('users', 'nip')
