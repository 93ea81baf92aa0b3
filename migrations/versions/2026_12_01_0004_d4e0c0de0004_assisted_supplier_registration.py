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

_SCALE = sa.Enum('mikro', 'kecil', 'menengah', 'besar', name='businessscale', native_enum=False, length=20)
_USER_COLUMNS = ('assisted_by_id', 'scale_confirmed_by_id')


def upgrade():
    # Existing suppliers keep no confirmed size: nobody has checked it against the NIB yet,
    # so their declared size counts until a verifier confirms it.
    if op.get_bind().dialect.name == 'sqlite':
        # Plain ADD COLUMN with its REFERENCES: batch mode would copy the table and drop
        # the old one, which SQLite refuses (foreign keys on) once documents, products
        # and orders point at suppliers.
        for name in _USER_COLUMNS:
            op.execute(f'ALTER TABLE suppliers ADD COLUMN {name} INTEGER '
                       f'CONSTRAINT fk_suppliers_{name}_users REFERENCES users (id)')
        op.add_column('suppliers', sa.Column('confirmed_scale', _SCALE, nullable=True))
        op.add_column('suppliers', sa.Column('scale_confirmed_at', sa.DateTime(), nullable=True))
        return
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_scale', _SCALE, nullable=True))
        batch_op.add_column(sa.Column('scale_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scale_confirmed_at', sa.DateTime(), nullable=True))
        for name in _USER_COLUMNS:
            batch_op.create_foreign_key(batch_op.f(f'fk_suppliers_{name}_users'), 'users', [name], ['id'])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite (3.35+) drops a column in place unless a constraint names it; the
        # foreign keys do, so this goes through batch mode's copy of the table.
        with op.batch_alter_table('suppliers', schema=None) as batch_op:
            for name in ('scale_confirmed_at', 'scale_confirmed_by_id', 'confirmed_scale', 'assisted_by_id'):
                batch_op.drop_column(name)
        return
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        for name in _USER_COLUMNS:
            batch_op.drop_constraint(batch_op.f(f'fk_suppliers_{name}_users'), type_='foreignkey')
        for name in ('scale_confirmed_at', 'scale_confirmed_by_id', 'confirmed_scale', 'assisted_by_id'):
            batch_op.drop_column(name)
