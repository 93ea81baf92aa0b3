"""Late-delivery penalty on the pages (issue 11, "Late delivery"): the PPK sees the
computed penalty on the BAST form, the bendahara is told in Indonesian to pay net less
the penalty, and the BAST and tagihan print it."""
from datetime import timedelta

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order
from pbj.services import orders
from tests import order_helpers as oh


text_of = oh.page_text


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.without_pp55(oh.parties(create_org, create_user, create_supplier))


def shipped_late(p, days=3) -> Order:
    order = oh.place(p, oh.listed(p, price=100_000, stock=None), 10)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 10}, "SJ-09", oh.today(), "", utcnow(), oh.today())
    order.needed_by = oh.today() - timedelta(days=days)
    db.session.commit()
    return order


def test_ppk_sees_the_penalty_then_bendahara_must_pay_net_less_penalty(p, client, auth):
    order = shipped_late(p)   # 10 × 100.000, 3 days late: 1.000.000 × 3 ‰ = 3.000
    item_id = order.items[0].id
    auth.login(p.ppk)
    page = text_of(client.get(f"/pesanan/{order.id}"))
    assert "Denda keterlambatan" in page and "Rp 3.000" in page and "Bebaskan denda keterlambatan" in page
    refused = client.post(f"/pesanan/{order.id}/bast", data={
        f"qty_{item_id}": "10", "signed_on": oh.today().isoformat(), "waive_penalty": "y", "waiver_reason": ""})
    assert refused.status_code == 422
    assert "Untuk membebaskan denda keterlambatan, tulis alasannya" in text_of(refused)
    signed = client.post(f"/pesanan/{order.id}/bast", data={f"qty_{item_id}": "10",
                                                            "signed_on": oh.today().isoformat()})
    assert signed.status_code == 303
    auth.logout()
    auth.login(p.bendahara)
    page = text_of(client.get(f"/pesanan/{order.id}"))
    assert "Rp 1.000.000 − Rp 3.000 = Rp 997.000" in page
    base = {"paid_on": oh.today().isoformat(), "reference": "TRF-9", "payment_method": "ls"}
    old = client.post(f"/pesanan/{order.id}/bayar", data={**base, "amount": "1000000"})
    assert old.status_code == 422
    assert ("Jumlah yang dibayarkan kepada penyedia harus jumlah bersih dikurangi denda keterlambatan: "
            "Rp 1.000.000 − Rp 3.000 = Rp 997.000.") in text_of(old)
    assert client.post(f"/pesanan/{order.id}/bayar", data={**base, "amount": "997000"}).status_code == 303
    bast = text_of(client.get(f"/pesanan/{order.id}/dokumen/bast"))
    assert "Denda keterlambatan" in bast and "SJ-09" in bast and "Rp 3.000 dipotong dari pembayaran" in bast
    tagihan = text_of(client.get(f"/pesanan/{order.id}/dokumen/tagihan"))
    assert "Ditransfer kepada penyedia: Rp 1.000.000 − Rp 3.000 = Rp 997.000" in tagihan


def test_waived_penalty_is_shown_with_who_and_why(p, client, auth):
    order = shipped_late(p, days=1)
    auth.login(p.ppk)
    assert client.post(f"/pesanan/{order.id}/bast", data={
        f"qty_{order.items[0].id}": "10", "signed_on": oh.today().isoformat(), "waive_penalty": "y",
        "waiver_reason": "Banjir <b>besar</b> menutup jalan"}).status_code == 303
    auth.logout()
    auth.login(p.supplier)
    response = client.get(f"/pesanan/{order.id}")
    html = response.get_data(as_text=True)
    assert "Banjir &lt;b&gt;besar&lt;/b&gt; menutup jalan" in html and "<b>besar" not in html
    assert "Terhitung Rp 1.000, dibebaskan oleh" in text_of(response)
    assert "Denda keterlambatan dibebaskan oleh PPK" in text_of(response)  # the order's timeline
