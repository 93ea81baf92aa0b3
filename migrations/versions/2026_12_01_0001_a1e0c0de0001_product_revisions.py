"""product revisions, TKDN certificates and SIINas, preference ranks

Revision ID: a1e0c0de0001
Revises: 7e1a7f1e0001
Create Date: 2026-12-01 00:01:00

Columns are added with plain ALTER TABLE (SQLite supports it; recreating `products`
in batch mode would drop its search and count triggers). Every product's preference
and priority are recomputed in SQL with the ranks of Perpres 46/2025 (models.catalogue
.Preference): TKDN counts only with a certificate number and date, and no product has
a certificate date yet, so existing TKDN products rank as uncertified domestic until
their supplier enters the date (a revision the UKPBJ reviews).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e0c0de0001'
down_revision = '7e1a7f1e0001'
branch_labels = None
depends_on = None


# models.catalogue.preference_of in SQL (its unit test runs both on the same cases).
PREFERENCE_SQL = """
    CASE
        WHEN NOT is_pdn THEN 6
        WHEN tkdn_certificate IS NOT NULL AND tkdn_certificate <> '' AND tkdn_certificate_date IS NOT NULL
             AND tkdn_x100 > 0 THEN
            CASE WHEN tkdn_x100 + bmp_x100 >= 4000 THEN 1 WHEN tkdn_x100 >= 2500 THEN 2 ELSE 3 END
        WHEN siinas THEN 4
        ELSE 5
    END"""

# The ranks before this migration (1 TKDN+BMP >= 40, 2 TKDN >= 25, 3 other domestic, 4 import).
OLD_PREFERENCE_SQL = """
    CASE WHEN NOT is_pdn THEN 4 WHEN tkdn_x100 + bmp_x100 >= 4000 THEN 1 WHEN tkdn_x100 >= 2500 THEN 2 ELSE 3 END"""

PRIORITY_SQL = ("preference * 10 + CASE WHEN supplier_is_umk AND supplier_is_local THEN 0 ELSE 1 END")


def upgrade():
    op.add_column('products', sa.Column('tkdn_certificate_date', sa.Date(), nullable=True))
    op.add_column('products', sa.Column('tkdn_ik', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('products', sa.Column('siinas', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('products', sa.Column('siinas_number', sa.String(length=40), nullable=True))
    op.add_column('products', sa.Column('reviewed_price', sa.BigInteger(), nullable=True))

    op.create_table('product_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'replaced', 'withdrawn',
                                name='revisionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('proposed_json', sa.Text(), nullable=False),
    sa.Column('previous_json', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_product_revisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_revisions_product_id_products')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_product_revisions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_revisions'))
    )
    with op.batch_alter_table('product_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_revisions_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_product_revisions_status', ['status', 'submitted_at'], unique=False)
        # One pending revision per product, whoever writes.
        batch_op.create_index('ux_product_revisions_pending', ['product_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))

    # The new ranks for every product (the count triggers follow the change of preference).
    op.execute(f"UPDATE products SET preference = {PREFERENCE_SQL}")
    op.execute(f"UPDATE products SET priority = {PRIORITY_SQL}")
    # What the UKPBJ last approved: for a product already published, its price today
    # (the only reviewed price on record that the old rule left).
    op.execute("UPDATE products SET reviewed_price = unit_price WHERE published_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('product_revisions', schema=None) as batch_op:
        batch_op.drop_index('ux_product_revisions_pending', sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_product_revisions_status')
        batch_op.drop_index(batch_op.f('ix_product_revisions_product_id'))
    op.drop_table('product_revisions')
    op.execute(f"UPDATE products SET preference = {OLD_PREFERENCE_SQL}")
    op.execute(f"UPDATE products SET priority = {PRIORITY_SQL}")
    # Plain ALTER TABLE on both databases (SQLite >= 3.35): no table rebuild, triggers kept.
    for column in ('reviewed_price', 'siinas_number', 'siinas', 'tkdn_ik', 'tkdn_certificate_date'):
        op.execute(f"ALTER TABLE products DROP COLUMN {column}")
