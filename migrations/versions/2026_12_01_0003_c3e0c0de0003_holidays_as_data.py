"""holidays as data, deadlines per party

The `holidays` table replaces the HOLIDAYS setting (which was empty). Orders get
`supplier_deadline` (the supplier answers within its working days of submission) and
`ppk_deadline` becomes empty until the supplier confirms. Existing orders:
- never confirmed: the one old deadline was the supplier's (it was set at submission
  and at each negotiation move), so it becomes `supplier_deadline` and `ppk_deadline`
  is emptied;
- confirmed: the old deadline, set again at confirmation, is the PPK's and stays; the
  supplier's earlier deadline was not kept, and the supplier met it, so its
  confirmation time stands for it.

Revision ID: c3e0c0de0003
Revises: b2e0c0de0002
Create Date: 2026-12-01 00:03:00

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e0c0de0003'
down_revision = 'b2e0c0de0002'
branch_labels = None
depends_on = None


@contextmanager
def _rebuilding_orders():
    """SQLite rebuilds `orders` (copy, drop, rename) to change a column's NOT NULL, and
    other tables refer to it: its own recipe for that (lang_altertable.html, "Making Other
    Kinds Of Table Schema Changes") turns foreign keys off outside a transaction,
    rebuilds, checks the keys and turns them back on if they were."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    was_on = bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild of orders: {broken[:5]}")
    bind.exec_driver_sql("COMMIT")
    if was_on:  # as the connection had it (a caller may have turned them off for later steps)
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('national', 'cuti_bersama', 'regional', name='holidaykind', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )

    op.add_column('orders', sa.Column('supplier_deadline', sa.DateTime(), nullable=True))
    orders = sa.table('orders', sa.column('supplier_deadline', sa.DateTime()),
                      sa.column('ppk_deadline', sa.DateTime()), sa.column('confirmed_at', sa.DateTime()))
    op.execute(orders.update().where(orders.c.confirmed_at.is_(None))
               .values(supplier_deadline=orders.c.ppk_deadline))
    op.execute(orders.update().where(orders.c.confirmed_at.is_not(None))
               .values(supplier_deadline=orders.c.confirmed_at))
    with _rebuilding_orders(), op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('supplier_deadline', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('ppk_deadline', existing_type=sa.DateTime(), nullable=True)
        batch_op.create_index('ix_orders_status_supplier_deadline', ['status', 'supplier_deadline'], unique=False)
    op.execute(orders.update().where(orders.c.confirmed_at.is_(None)).values(ppk_deadline=None))


def downgrade():
    orders = sa.table('orders', sa.column('supplier_deadline', sa.DateTime()),
                      sa.column('ppk_deadline', sa.DateTime()))
    op.execute(orders.update().where(orders.c.ppk_deadline.is_(None))
               .values(ppk_deadline=orders.c.supplier_deadline))
    with _rebuilding_orders(), op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_supplier_deadline')
        batch_op.alter_column('ppk_deadline', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('supplier_deadline')

    op.drop_table('holidays')
