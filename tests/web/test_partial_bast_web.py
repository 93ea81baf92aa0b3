"""Partial BASTs on the pages (issue 11, "Documents"): the PPK's BAST form asks what
happens to the rest, a partial BAST leaves the order open for the next delivery, the
PPK can cancel a rest left open, and each BAST prints as its own document."""
import re

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order, OrderStatus
from pbj.services import orders
from tests import order_helpers as oh

PAYLOAD = '<i hx-post="/keluar">x</i>'


text_of = oh.page_text


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.without_pp55(oh.parties(create_org, create_user, create_supplier))


def shipped(p, qty=10, sent=6) -> Order:
    order = oh.place(p, oh.listed(p, price=100_000, stock=None), qty)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    orders.ship(p.supplier, order, {order.items[0].id: sent}, "SJ-01", oh.today(), "", utcnow(), oh.today())
    db.session.commit()
    return order


def bast(client, order, qty, **extra):
    return client.post(f"/pesanan/{order.id}/bast", data={f"qty_{order.items[0].id}": str(qty),
                                                          "signed_on": oh.today().isoformat(), **extra})


def test_partial_bast_leaves_the_rest_open_then_the_second_bast_closes_it(p, client, auth):
    order = shipped(p)
    auth.login(p.ppk)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    # The choice starts on "stays open"; the hint names what is outstanding.
    assert re.search(r'<input[^>]*checked[^>]*value="open"|<input[^>]*value="open"[^>]*checked', page)
    assert "Dipesan dan belum diterima (sebelum BAST ini): 10 buah Kertas HVS A4 80 gram" in text_of(client.get(f"/pesanan/{order.id}"))
    signed = bast(client, order, 6, rest="open")
    assert signed.status_code == 303
    page = text_of(client.get(signed.headers["Location"]))
    assert "BAST sebagian sudah ditandatangani" in page and "Sisa pesanan tetap ditunggu pengirimannya" in page
    assert "Batalkan sisa yang belum dikirim" in page  # the PPK may still cancel it
    auth.logout()
    auth.login(p.supplier)
    shipped_again = client.post(f"/pesanan/{order.id}/kirim", data={
        f"qty_{order.items[0].id}": "4", "note_number": "SJ-02", "shipped_on": oh.today().isoformat()})
    assert shipped_again.status_code == 303
    auth.logout()
    auth.login(p.ppk)
    page = text_of(client.get(f"/pesanan/{order.id}"))
    assert "Periksa pengiriman baru dan tanda tangani BAST ke-2" in page
    assert bast(client, order, 4).status_code == 303
    order = db.session.get(Order, order.id)
    assert order.status is OrderStatus.RECEIVED and len(order.handovers) == 2
    page = text_of(client.get(f"/pesanan/{order.id}"))
    assert "BAST ke-1" in page and "BAST ke-2" in page
    first, second = order.handovers
    one = text_of(client.get(f"/pesanan/{order.id}/dokumen/bast?nomor={first.number}"))
    two = text_of(client.get(f"/pesanan/{order.id}/dokumen/bast?nomor={second.number}"))
    assert first.number in one and "Sisa pesanan belum diterima dan tetap ditunggu" in one
    assert second.number in two and "BAST ke-2" in two and "Diterima sebelumnya" in two
    assert client.get(f"/pesanan/{order.id}/dokumen/bast?nomor=BAST-lain").status_code == 404
    assert client.get(f"/pesanan/{order.id}/dokumen/tagihan").status_code == 200


def test_cancelling_the_rest_needs_a_reason_and_keeps_what_was_typed(p, client, auth):
    order = shipped(p)
    auth.login(p.ppk)
    refused = bast(client, order, 6, rest="cancel", rest_reason="", notes="Dus basah")
    assert refused.status_code == 422
    page = text_of(refused)
    assert "Tulis alasan sisa pesanan dibatalkan" in page and "Dus basah" in page
    no_choice = bast(client, order, 6)
    assert no_choice.status_code == 422 and "pilih apakah sisanya tetap ditunggu" in text_of(no_choice)
    reason = "Penyedia tidak sanggup mengirim sisa " + PAYLOAD
    assert bast(client, order, 6, rest="cancel", rest_reason=reason).status_code == 303
    order = db.session.get(Order, order.id)
    assert order.status is OrderStatus.RECEIVED and order.total == 600_000
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    printed = client.get(f"/pesanan/{order.id}/dokumen/bast").get_data(as_text=True)
    for html in (page, printed):
        assert PAYLOAD not in html and "&lt;i hx-post=" in html  # escaped once, never live


def test_the_ppk_cancels_a_rest_left_open_from_the_order_page(p, client, auth):
    order = shipped(p, sent=3)
    auth.login(p.ppk)
    assert bast(client, order, 3, rest="open").status_code == 303
    short = client.post(f"/pesanan/{order.id}/batal-sisa", data={"rest_reason": "tidak"})
    assert short.status_code == 422
    done = client.post(f"/pesanan/{order.id}/batal-sisa",
                       data={"rest_reason": "Stok penyedia habis sampai akhir tahun"})
    assert done.status_code == 303
    page = text_of(client.get(f"/pesanan/{order.id}"))
    assert "Sisa yang belum dikirim dibatalkan; bendahara pengeluaran" in page
    assert "Stok penyedia habis sampai akhir tahun" in page
    invoice = text_of(client.get(f"/pesanan/{order.id}/dokumen/tagihan"))
    assert "Stok penyedia habis sampai akhir tahun" in invoice and "Dibatalkan" in invoice
    again = client.post(f"/pesanan/{order.id}/batal-sisa", data={"rest_reason": "Stok penyedia habis lagi"})
    assert again.status_code == 409 and "sudah diputuskan" in text_of(again)


def test_only_the_orders_ppk_cancels_the_rest(p, client, auth):
    order = shipped(p, sent=3)
    orders.sign_handover(p.ppk, order, {order.items[0].id: 3}, "", oh.today(), None, utcnow(), oh.today(),
                         rest="open")
    db.session.commit()
    auth.login(p.supplier)
    assert client.post(f"/pesanan/{order.id}/batal-sisa",
                       data={"rest_reason": "Saya tidak mau kirim sisanya"}).status_code == 403
