"""Ordering forms never answer 500, whatever is typed: junk in every field of every
order action, as each party, at each stage; a refused request changes nothing."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.orders import CartItem, Order
from pbj.services import orders
from tests import order_helpers as oh

JUNK = ["", " ", "abc", "-1", "0", "1e9", "99999999999999999999999", "1.5", "1,5", "Rp -5.000",
        "<script>alert(1)</script>", "' OR 1=1 --", "２０", "9" * 400, "2026-02-30", "31/13/2026"]

ACTIONS = {
    "konfirmasi": [], "setujui": [], "terima-tawaran": [], "tolak-tawaran": [],
    "batal": ["reason"], "tolak": ["reason"], "tolak-ppk": ["reason"],
    "tawar": ["note", "price_{item}"],
    "kirim": ["note_number", "shipped_on", "note", "qty_{item}"],
    "bast": ["signed_on", "notes", "qty_{item}"],
    "bayar": ["paid_on", "reference", "amount"],
    "nilai": ["stars", "comment"],
    "balas": ["reply"],
}


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def snapshot():
    db.session.rollback()
    return (db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.object_type == "orders")),
            db.session.execute(sa.select(Order.id, Order.status, Order.updated_at).order_by(Order.id)).all())


@pytest.mark.parametrize("stage", ["submitted", "approved", "shipped", "received"])
def test_junk_in_every_order_form_is_refused_cleanly(p, client, auth, stage):
    product = oh.listed(p, stock=50)
    order = oh.place(p, product, 4)
    item = order.items[0]
    now, today = utcnow(), oh.today()
    if stage != "submitted":
        orders.confirm(p.supplier, order, now)
        orders.approve(p.ppk, order, now, today)
    if stage in ("shipped", "received"):
        orders.ship(p.supplier, order, {item.id: 4}, "SJ-1", today, "", now, today)
    if stage == "received":
        orders.sign_handover(p.ppk, order, {item.id: 4}, "", today, None, now, today)
    db.session.commit()
    order_id, item_id = order.id, item.id
    for who in (p.pp, p.ppk, p.bendahara, p.supplier):
        auth.login(who)
        for action, fields in ACTIONS.items():
            for junk in JUNK:
                before = snapshot()
                data = {f.format(item=item_id): junk for f in fields}
                response = client.post(f"/pesanan/{order_id}/{action}", data=data)
                assert response.status_code < 500, (who.role, action, junk, response.status_code)
                if response.status_code >= 400:
                    assert snapshot() == before, (who.role, action, junk)
        auth.logout()


def test_junk_in_the_cart_and_checkout(p, client, auth):
    product = oh.listed(p, stock=10)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "1"})
    item_id = db.session.scalar(sa.select(CartItem.id))
    for junk in JUNK:
        assert client.post("/keranjang", data={"product_id": junk, "quantity": junk}).status_code < 500
        assert client.post("/keranjang", data={"product_id": product.id, "quantity": junk},
                           headers={"HX-Request": "true"}).status_code < 500
        assert client.post(f"/keranjang/{item_id}", data={"quantity": junk}).status_code < 500
        fields = ("rup_code", "budget_year", "budget_source", "delivery_address", "needed_by", "ppk_id")
        answer = client.post("/keranjang/pesan", data={f: junk for f in fields}
                             | {"justification_1": junk, "justification_²": junk, "justification_" + "9" * 5000: junk})
        assert answer.status_code == 422, junk
        assert client.get(f"/pesanan?status={junk}&hal={junk}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.scalar(sa.select(CartItem.quantity)) >= 1
