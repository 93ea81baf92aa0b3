"""The partial-BAST migration keeps orders closed before it: a BAST that received less
than ordered decided nothing then; the migration records that rest as cancelled at that
BAST, refused goods as back with the supplier, and the BAST as covering the order's
deliveries, and the issued documents still match their fingerprints."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import HandoverRest, Order, OrderDocumentKind as Kind
from pbj.services import documents, orders
from tests import order_helpers as oh

BEFORE = "a7e0c0de0007"


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def _downgrade(downgrade) -> None:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        downgrade(revision=BEFORE)
        return

    def off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    engine.dispose()
    sa.event.listen(engine, "connect", off)
    try:
        downgrade(revision=BEFORE)
    finally:
        sa.event.remove(engine, "connect", off)
        engine.dispose()


def test_a_bast_that_received_less_is_recorded_as_cancelling_the_rest(p):
    from flask_migrate import downgrade, upgrade

    order = oh.place(p, oh.listed(p, price=100_000, stock=None), 10)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 10}, "SJ-1", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 8}, "2 rusak", oh.today(), None, utcnow(), oh.today(),
                         rest="cancel", rest_reason="Dua dus rusak, tidak diganti")
    db.session.commit()
    # As issued before this revision: shape 3 of the BAST, its fingerprint.
    bast = documents.issued(order, Kind.BAST)
    bast.content_version = 3
    bast.fingerprint = documents.fingerprint(documents.content(order, Kind.BAST, version=3))
    db.session.commit()
    order_id, item_id, stamp = order.id, item.id, bast.fingerprint
    db.session.remove()

    _downgrade(downgrade)
    with db.engine.begin() as conn:  # as such an order was: 10 shipped, 8 received, nothing decided
        conn.execute(sa.text("UPDATE order_items SET shipped_qty = 10 WHERE id = :i"), {"i": item_id})
    upgrade()

    order = db.session.get(Order, order_id)
    item = order.items[0]
    assert (item.shipped_qty, item.received_qty, item.cancelled_qty) == (8, 8, 2)
    assert order.total == 800_000 and order.sp_total == 1_000_000
    handover = order.handover
    assert handover.id and handover.sequence == 1 and handover.rest is HandoverRest.CANCELLED
    assert handover.rest_reason is None
    assert handover.lines == [{"item_id": item_id, "delivered": 10, "received": 8}]
    assert [d.handover_id for d in order.deliveries] == [handover.id]
    bast = documents.issued(order, Kind.BAST)
    assert documents.fingerprint(documents.document_content(bast)) == stamp
