"""partial BASTs: several handovers per order, the undelivered rest left open or cancelled

Revision ID: b8e0c0de0008
Revises: a7e0c0de0007
Create Date: 2026-12-01 00:08:00

Handovers get their own id (an order may have several BASTs), the quantities each BAST
received, and what it decided about the rest. Order items get `cancelled_qty`; each
delivery names the BAST that inspected it. A second SP or invoice per order stays
impossible (a partial unique index); BASTs are one per handover.

Orders whose single BAST received less than was ordered closed the order before this
revision: their rest is recorded as cancelled at that BAST (no reason was asked then),
and goods shipped but not received count as refused.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e0c0de0008'
down_revision = 'a7e0c0de0007'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # SQLite: columns of tables that others reference (orders, order_items, deliveries) are
    # added in place (ALTER TABLE), not by copying the table, so the upgrade runs on a
    # database full of orders with foreign keys on.
    if sqlite:
        op.execute("ALTER TABLE order_items ADD COLUMN cancelled_qty INTEGER DEFAULT '0' NOT NULL "
                   "CONSTRAINT ck_order_items_cancelled_range CHECK (cancelled_qty BETWEEN 0 AND "
                   "quantity - received_qty)")
    else:
        with op.batch_alter_table("order_items") as batch:
            batch.add_column(sa.Column("cancelled_qty", sa.Integer(), nullable=False, server_default="0"))
            batch.create_check_constraint("cancelled_range",
                                          "cancelled_qty BETWEEN 0 AND quantity - received_qty")

    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE handovers ADD COLUMN id SERIAL NOT NULL")
        op.execute("ALTER TABLE handovers DROP CONSTRAINT pk_handovers")
        op.execute("ALTER TABLE handovers ADD CONSTRAINT pk_handovers PRIMARY KEY (id)")
        op.execute("ALTER SEQUENCE handovers_id_seq OWNED BY handovers.id")
    else:
        # SQLite fills a NULL INTEGER PRIMARY KEY with the rowid when the table is copied.
        with op.batch_alter_table("handovers", recreate="always") as batch:
            batch.add_column(sa.Column("id", sa.Integer(), nullable=False))
            batch.drop_constraint("pk_handovers", type_="primary")
            batch.create_primary_key("pk_handovers", ["id"])
    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("sequence", sa.SmallInteger(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("lines", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("rest", sa.Enum("open", "cancelled", name="handoverrest", native_enum=False,
                                                   length=20), nullable=True))
        batch.add_column(sa.Column("rest_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("penalty_basis", sa.String(length=10), nullable=False, server_default="part"))
        batch.create_index("ix_handovers_order_id", ["order_id"], unique=False)

    if sqlite:
        op.execute("ALTER TABLE orders ADD COLUMN rest_cancelled_by_id INTEGER "
                   "CONSTRAINT fk_orders_rest_cancelled_by_id_users REFERENCES users (id)")
        op.execute("ALTER TABLE orders ADD COLUMN rest_cancel_reason TEXT")
        op.execute("ALTER TABLE deliveries ADD COLUMN handover_id INTEGER "
                   "CONSTRAINT fk_deliveries_handover_id_handovers REFERENCES handovers (id)")
        op.create_index("ix_deliveries_handover_id", "deliveries", ["handover_id"], unique=False)
    else:
        with op.batch_alter_table("orders") as batch:
            batch.add_column(sa.Column("rest_cancelled_by_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("rest_cancel_reason", sa.Text(), nullable=True))
            batch.create_foreign_key("fk_orders_rest_cancelled_by_id_users", "users", ["rest_cancelled_by_id"],
                                     ["id"])
        with op.batch_alter_table("deliveries") as batch:
            batch.add_column(sa.Column("handover_id", sa.Integer(), nullable=True))
            batch.create_index("ix_deliveries_handover_id", ["handover_id"], unique=False)
            batch.create_foreign_key("fk_deliveries_handover_id_handovers", "handovers", ["handover_id"],
                                     ["id"])

    with op.batch_alter_table("order_documents") as batch:
        batch.drop_constraint("uq_order_documents_order_id", type_="unique")
    op.create_index("uq_order_documents_order_id", "order_documents", ["order_id", "kind"], unique=True,
                    sqlite_where=sa.text("kind <> 'bast'"), postgresql_where=sa.text("kind <> 'bast'"))

    _record_existing_handovers(bind)


def _record_existing_handovers(bind):
    """Each existing BAST inspected every delivery of its order and decided the rest."""
    import json

    handovers = bind.execute(sa.text("SELECT id, order_id FROM handovers")).all()
    for handover_id, order_id in handovers:
        items = bind.execute(sa.text(
            "SELECT id, quantity, shipped_qty, received_qty FROM order_items WHERE order_id = :o ORDER BY id"),
            {"o": order_id}).all()
        lines = [{"item_id": i, "delivered": shipped, "received": received} for i, _q, shipped, received in items]
        rest = "cancelled" if any(received < quantity for _i, quantity, _s, received in items) else None
        bind.execute(sa.text("UPDATE handovers SET lines = :lines, rest = :rest WHERE id = :h"),
                     {"lines": json.dumps(lines), "rest": rest, "h": handover_id})
        bind.execute(sa.text("UPDATE order_items SET cancelled_qty = quantity - received_qty, "
                             "shipped_qty = received_qty WHERE order_id = :o"), {"o": order_id})
        bind.execute(sa.text("UPDATE deliveries SET handover_id = :h WHERE order_id = :o"),
                     {"h": handover_id, "o": order_id})


def downgrade():
    bind = op.get_bind()
    # Back to one BAST per order: the first is kept.
    op.execute("DELETE FROM order_documents WHERE kind = 'bast' AND number NOT IN "
               "(SELECT number FROM handovers h WHERE h.sequence = 1)")
    op.drop_index("uq_order_documents_order_id", table_name="order_documents")
    with op.batch_alter_table("order_documents") as batch:
        batch.create_unique_constraint("uq_order_documents_order_id", ["order_id", "kind"])
    with op.batch_alter_table("deliveries") as batch:
        if bind.dialect.name != "sqlite":  # SQLite: the copy leaves the dropped column's reference out
            batch.drop_constraint("fk_deliveries_handover_id_handovers", type_="foreignkey")
        batch.drop_index("ix_deliveries_handover_id")
        batch.drop_column("handover_id")
    with op.batch_alter_table("orders") as batch:
        if bind.dialect.name != "sqlite":
            batch.drop_constraint("fk_orders_rest_cancelled_by_id_users", type_="foreignkey")
        batch.drop_column("rest_cancel_reason")
        batch.drop_column("rest_cancelled_by_id")
    op.execute("DELETE FROM handovers WHERE sequence > 1")
    with op.batch_alter_table("handovers") as batch:
        batch.drop_index("ix_handovers_order_id")
        batch.drop_column("penalty_basis")
        batch.drop_column("rest_reason")
        batch.drop_column("rest")
        batch.drop_column("lines")
        batch.drop_column("sequence")
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE handovers DROP CONSTRAINT pk_handovers")
        op.execute("ALTER TABLE handovers ADD CONSTRAINT pk_handovers PRIMARY KEY (order_id)")
        op.execute("ALTER TABLE handovers DROP COLUMN id")
    else:
        with op.batch_alter_table("handovers", recreate="always") as batch:
            batch.drop_constraint("pk_handovers", type_="primary")
            batch.create_primary_key("pk_handovers", ["order_id"])
            batch.drop_column("id")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_constraint("cancelled_range", type_="check")
        batch.drop_column("cancelled_qty")
