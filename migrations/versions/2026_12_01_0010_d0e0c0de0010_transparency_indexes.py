"""indexes for the public transparency portal

Revision ID: d0e0c0de0010
Revises: c9e0c0de0009
Create Date: 2026-12-01 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0e0c0de0010'
down_revision = 'c9e0c0de0009'
branch_labels = None
depends_on = None


# (table, index, columns): the public portal's queries (pbj.services.transparency).
INDEXES = [
    ("orders", "ix_orders_approved_at", ["approved_at", "id"]),
    ("orders", "ix_orders_opd_approved_at", ["opd_id", "approved_at"]),
    ("orders", "ix_orders_supplier_approved_at", ["supplier_id", "approved_at"]),
    ("order_items", "ix_order_items_category_order", ["category_id", "order_id"]),
    ("order_items", "ix_order_items_order_value", ["order_id", "agreed_price", "quantity", "cancelled_qty", "is_pdn"]),
    ("payments", "ix_payments_paid_on", ["paid_on"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
