"""tax classes and the tax figures fixed on the order at the SP

Revision ID: e5e0c0de0005
Revises: d4e0c0de0004
Create Date: 2026-12-01 00:05:00

Products and order lines get a tax class (goods unless the name obviously says
catering food (PBJT) or a cleaning/laundry service); suppliers get their PP 55/2022
certificate number and validity; orders get `tax_fixed`, the rates fixed at the SP.
Orders already issued keep the formula they were issued under (method "2024", PPN
11 % of the gross, PPh 22 or final on every line, no threshold) so their documents'
fingerprints do not change.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5e0c0de0005'
down_revision = 'd4e0c0de0004'
branch_labels = None
depends_on = None

PBJT_WORDS = ("nasi kotak", "snack", "katering", "catering", "prasmanan")
SERVICE_WORDS = ("laundry", "kebersihan", "cleaning", "jasa ")


def _classify(table):
    name = sa.func.lower(table.c.name)
    op.execute(table.update().where(sa.or_(*[name.like(f"%{w}%") for w in PBJT_WORDS])).values(tax_class="pbjt"))
    op.execute(table.update().where(sa.or_(*[name.like(f"%{w}%") for w in SERVICE_WORDS])).values(
        tax_class="services"))


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_class', sa.String(length=10), server_default='goods', nullable=False))
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_class', sa.String(length=10), server_default='goods', nullable=False))
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pp55_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('pp55_valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pp55_valid_until', sa.Date(), nullable=True))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_fixed', sa.JSON(), nullable=True))

    _classify(sa.table('products', sa.column('name', sa.String), sa.column('tax_class', sa.String)))
    _classify(sa.table('order_items', sa.column('name', sa.String), sa.column('tax_class', sa.String)))

    orders = sa.table('orders', sa.column('sp_number', sa.String), sa.column('supplier_is_pkp', sa.Boolean),
                      sa.column('supplier_has_pp55', sa.Boolean), sa.column('tax_fixed', sa.JSON))
    for pkp in (True, False):
        for pp55 in (True, False):
            legacy = {"method": "2024", "is_pkp": pkp, "pp55": pp55, "ppn_rate": "11", "dpp_factor": "1",
                      "pph22_rate": "1.5", "pph23_rate": "0", "pph_final_rate": "0.5", "threshold": 0,
                      "ppn_collected": True}
            op.execute(orders.update().where(orders.c.sp_number.isnot(None),
                                             orders.c.supplier_is_pkp == sa.true() if pkp
                                             else orders.c.supplier_is_pkp == sa.false(),
                                             orders.c.supplier_has_pp55 == sa.true() if pp55
                                             else orders.c.supplier_has_pp55 == sa.false())
                       .values(tax_fixed={"rates": legacy}))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('tax_fixed')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('pp55_valid_until')
        batch_op.drop_column('pp55_valid_from')
        batch_op.drop_column('pp55_number')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_column('tax_class')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('tax_class')
