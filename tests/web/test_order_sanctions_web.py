"""The order pages when the supplier is sanctioned: the notice, and the refused POSTs."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.orders import Order, OrderStatus
from pbj.models.suppliers import Sanction
from pbj.services import orders, suppliers
from tests import order_helpers as oh

STOPPED_NOTICE = "Selama sanksi berlaku, pesanan ini tidak dapat dikonfirmasi"
SIGNED_NOTICE = "Surat Pesanan untuk pesanan ini sudah ditandatangani"


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier, supplier_name="CV Sinar Jaya")


def fresh(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id)


def order_entries():
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == "orders"))


def sanction(p, kind=Sanction.SUSPENDED):
    suppliers.sanction_supplier(p.admin, p.supplier.org.supplier, kind, "Terlambat mengirim tiga kali",
                                oh.today() + timedelta(days=30), oh.today())
    db.session.commit()


def test_pp_and_ppk_see_the_sanction_on_the_order_and_in_the_list(p, client, auth):
    order = oh.place(p, oh.listed(p), 2)
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    sanction(p, Sanction.BLACKLISTED)
    for who in (p.pp, p.ppk):
        auth.login(who)
        page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
        assert "Penyedia masuk daftar hitam sampai" in page and STOPPED_NOTICE in page
        assert f"/pesanan/{order.id}/setujui" not in page  # no approve button
        assert f"/pesanan/{order.id}/batal" in page  # still cancellable
        assert "Penyedia dibekukan atau masuk daftar hitam" in page  # the timeline entry
        listing = client.get("/pesanan").get_data(as_text=True)
        assert "Daftar hitam sampai" in listing and "tidak dapat dilanjutkan" in listing
        auth.logout()
    auth.login(p.ppk)
    assert f"/pesanan/{order.id}/tolak-ppk" in client.get(f"/pesanan/{order.id}").get_data(as_text=True)


def test_sanctioned_supplier_cannot_confirm_by_post(p, client, auth):
    order = oh.place(p, oh.listed(p), 2)
    sanction(p)
    before = order_entries()
    auth.login(p.supplier)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert f"/pesanan/{order.id}/konfirmasi" not in page and f"/pesanan/{order.id}/tawar" not in page
    answer = client.post(f"/pesanan/{order.id}/konfirmasi")
    assert answer.status_code == 409
    assert "CV Sinar Jaya sedang dibekukan sampai" in answer.get_data(as_text=True)
    assert fresh(order.id).status is OrderStatus.SUBMITTED and order_entries() == before


def test_ppk_cannot_approve_by_post(p, client, auth):
    order = oh.place(p, oh.listed(p), 2)
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    sanction(p)
    before = order_entries()
    auth.login(p.ppk)
    answer = client.post(f"/pesanan/{order.id}/setujui")
    assert answer.status_code == 409
    assert "CV Sinar Jaya sedang dibekukan sampai" in answer.get_data(as_text=True)
    order = fresh(order.id)
    assert order.status is OrderStatus.CONFIRMED and order.sp_number is None and order_entries() == before
    rejected = client.post(f"/pesanan/{order.id}/tolak-ppk", data={"reason": "Penyedia sedang dibekukan"})
    assert rejected.status_code == 303 and fresh(order.id).status is OrderStatus.REJECTED


def test_approved_order_carries_a_notice_and_goes_on(p, client, auth):
    order = oh.place(p, oh.listed(p), 2)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    db.session.commit()
    sanction(p)
    auth.login(p.ppk)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert "Penyedia dibekukan sampai" in page and SIGNED_NOTICE in page and STOPPED_NOTICE not in page
    auth.logout()
    auth.login(p.supplier)
    item_id = order.items[0].id
    shipped = client.post(f"/pesanan/{order.id}/kirim", data={
        "note_number": "SJ-1", "shipped_on": oh.today().isoformat(), f"qty_{item_id}": "2"})
    assert shipped.status_code == 303 and fresh(order.id).status is OrderStatus.SHIPPED
