"""RUP register: packages under one Kode RUP, lawful grounds for going down a preference tier

Revision ID: b2e0c0de0002
Revises: a1e0c0de0001
Create Date: 2026-12-01 00:02:00

Data: every Kode RUP already used by an order becomes a package of the OPD that
first used it (e-purchasing, the year and source of its latest order, pagu = the
value of its live orders, named "Paket <kode>"), so old orders keep counting
against their package; admins then correct name and pagu from SIRUP. The free-text
preference justification becomes the explanation, with no ground (it predates the
list of lawful grounds).

SQLite: the upgrade adds and drops the columns of `orders` in place (ALTER TABLE), so
it runs on a database full of orders with foreign keys on; see downgrade() for the
way back.
"""
from collections import defaultdict
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2e0c0de0002'
down_revision = 'a1e0c0de0001'
branch_labels = None
depends_on = None

DEAD = ("cancelled", "rejected", "expired")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.create_table('rup_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opd_id', sa.Integer(), nullable=False),
    sa.Column('rup_code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('pagu', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.Enum('e_purchasing', 'pengadaan_langsung', 'penunjukan_langsung', 'tender', 'tender_cepat', 'seleksi', 'dikecualikan', name='procurementmethod', native_enum=False, length=20), nullable=False),
    sa.Column('funding_source', sa.Enum('apbd', 'apbn', 'dak', 'blud', 'bos', 'other', name='budgetsource', native_enum=False, length=20), nullable=False),
    sa.Column('budget_year', sa.Integer(), nullable=False),
    sa.Column('satker', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pagu > 0', name=op.f('ck_rup_packages_pagu_positive')),
    sa.ForeignKeyConstraint(['opd_id'], ['organisations.id'], name=op.f('fk_rup_packages_opd_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rup_packages')),
    sa.UniqueConstraint('rup_code', name=op.f('uq_rup_packages_rup_code'))
    )
    with op.batch_alter_table('rup_packages', schema=None) as batch_op:
        batch_op.create_index('ix_rup_packages_opd_year', ['opd_id', 'budget_year'], unique=False)

    if _sqlite():
        # In place (ALTER TABLE … ADD COLUMN … REFERENCES): no copy of a table that other
        # tables reference, so existing orders, items and offers stay as they are.
        op.execute("ALTER TABLE orders ADD COLUMN package_id INTEGER "
                   "CONSTRAINT fk_orders_package_id_rup_packages REFERENCES rup_packages (id)")
        op.execute("ALTER TABLE orders ADD COLUMN preference_ground VARCHAR(40)")
        op.execute("ALTER TABLE orders ADD COLUMN preference_explanation TEXT")
        op.execute("ALTER TABLE orders ADD COLUMN ground_accepted_by_id INTEGER "
                   "CONSTRAINT fk_orders_ground_accepted_by_id_users REFERENCES users (id)")
        op.execute("ALTER TABLE orders ADD COLUMN ground_accepted_at DATETIME")
        op.create_index(op.f('ix_orders_package_id'), 'orders', ['package_id'], unique=False)
    else:
        with op.batch_alter_table('orders', schema=None) as batch_op:
            batch_op.add_column(sa.Column('package_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('preference_ground', sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column('preference_explanation', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('ground_accepted_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('ground_accepted_at', sa.DateTime(), nullable=True))
            batch_op.create_index(batch_op.f('ix_orders_package_id'), ['package_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_orders_ground_accepted_by_id_users'), 'users', ['ground_accepted_by_id'], ['id'])
            batch_op.create_foreign_key(batch_op.f('fk_orders_package_id_rup_packages'), 'rup_packages', ['package_id'], ['id'])

    _move_data()

    if _sqlite():
        op.execute("ALTER TABLE orders DROP COLUMN preference_justification")  # SQLite >= 3.35
    else:
        with op.batch_alter_table('orders', schema=None) as batch_op:
            batch_op.drop_column('preference_justification')


def _move_data():
    bind = op.get_bind()
    orders = sa.table('orders', sa.column('id'), sa.column('opd_id'), sa.column('rup_code'),
                      sa.column('budget_year'), sa.column('budget_source'), sa.column('status'),
                      sa.column('package_id'), sa.column('preference_justification'),
                      sa.column('preference_explanation'))
    items = sa.table('order_items', sa.column('order_id'), sa.column('agreed_price'), sa.column('quantity'))
    packages = sa.table('rup_packages', sa.column('id'), sa.column('opd_id'), sa.column('rup_code'),
                        sa.column('name'), sa.column('pagu'), sa.column('method'), sa.column('funding_source'),
                        sa.column('budget_year'), sa.column('satker'), sa.column('description'),
                        sa.column('created_at'), sa.column('updated_at'))
    bind.execute(orders.update().where(orders.c.preference_justification.is_not(None))
                 .values(preference_explanation=orders.c.preference_justification))
    value = dict(bind.execute(sa.select(items.c.order_id, sa.func.sum(items.c.agreed_price * items.c.quantity))
                              .group_by(items.c.order_id)).all())
    found: dict[str, dict] = {}
    live = defaultdict(int)
    for row in bind.execute(sa.select(orders.c.id, orders.c.opd_id, orders.c.rup_code, orders.c.budget_year,
                                      orders.c.budget_source, orders.c.status).order_by(orders.c.id)):
        code = (row.rup_code or "").strip()[:20]
        if not code:
            continue
        package = found.setdefault(code, {"opd_id": row.opd_id})
        package.update(budget_year=row.budget_year, funding_source=row.budget_source)  # the latest order's
        if row.status not in DEAD:
            live[code] += int(value.get(row.id) or 0)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for code, package in found.items():
        new_id = bind.execute(packages.insert().values(
            opd_id=package["opd_id"], rup_code=code, name=f"Paket {code}", pagu=max(1, live[code]),
            method="e_purchasing", funding_source=package["funding_source"], budget_year=package["budget_year"],
            satker="", description="", created_at=now, updated_at=now).returning(packages.c.id)).scalar_one()
        bind.execute(orders.update().where(orders.c.rup_code == code).values(package_id=new_id))


def downgrade():
    # SQLite: taking columns with references out of `orders` copies the table (batch
    # mode), which the references of order_items, offers … to `orders` forbid while
    # foreign keys are on and orders exist: run a downgrade of a filled SQLite database
    # with PRAGMA foreign_keys=OFF, as SQLite's own recipe for such changes says. The
    # upgrade changes `orders` in place and needs nothing of the kind.
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preference_justification', sa.TEXT(), nullable=True))
    orders = sa.table('orders', sa.column('preference_justification'), sa.column('preference_explanation'))
    op.get_bind().execute(orders.update().values(preference_justification=orders.c.preference_explanation))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        if not _sqlite():  # SQLite: the copy leaves the dropped columns' references out
            batch_op.drop_constraint(batch_op.f('fk_orders_package_id_rup_packages'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_orders_ground_accepted_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_package_id'))
        batch_op.drop_column('ground_accepted_at')
        batch_op.drop_column('ground_accepted_by_id')
        batch_op.drop_column('preference_explanation')
        batch_op.drop_column('preference_ground')
        batch_op.drop_column('package_id')

    with op.batch_alter_table('rup_packages', schema=None) as batch_op:
        batch_op.drop_index('ix_rup_packages_opd_year')

    op.drop_table('rup_packages')
