"""The public transparency portal (/transparansi): orders with a signed Surat Pesanan,
their filters and pages, suppliers by value and payment times per OPD — for anyone,
without logging in, and nothing of officials' personal data."""
from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role, User
from pbj.models.orders import Order, OrderStatus
from pbj.models.suppliers import BusinessScale
from pbj.services import orders, transparency
from tests import catalogue_helpers as h
from tests import order_helpers as oh
from tests.order_helpers import page_text


def approved(p, product, quantity=10):
    order = oh.place(p, product, quantity)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    db.session.commit()
    return order


def received(p, order):
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: item.quantity}, "SJ-1", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: item.quantity}, "", oh.today(), None, utcnow(), oh.today())
    db.session.commit()
    return order


def paid(p, order):
    received(p, order)
    tax = orders.tax_breakdown(order)
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-0001", tax.net, utcnow(), oh.today())
    db.session.commit()
    return order


@pytest.fixture
def world(app, create_org, create_user, create_supplier):
    """Two OPDs; a local micro supplier and an outside big one; orders in several states."""
    app.config["TRANSPARENCY_CACHE_SECONDS"] = 0
    a = oh.parties(create_org, create_user, create_supplier, code="DISDIK", supplier_name="CV Kopi Lokal")
    b = oh.parties(create_org, create_user, create_supplier, code="DINKES", supplier_name="PT Besar Luar",
                   region_code="61.71", scale=BusinessScale.BESAR)
    b_from_a = oh.Parties(b.opd_code, b.pp, b.ppk, b.bendahara, a.supplier, a.admin)
    oh.without_pp55(a)
    oh.without_pp55(b)
    coffee = oh.listed(a, "Kopi bubuk Singkawang 250 gram", price=45_000)
    masks = oh.listed(b, "Masker medis impor", price=30_000, pdn=False,
                      cat=h.category("Alat Kesehatan", parent="Kesehatan"))
    world = {
        "a": a, "b": b,
        "submitted": oh.place(a, coffee, 3),  # not signed: never public
        "approved": approved(a, coffee, 10),
        "paid": paid(b, approved(b, masks, 20)),
        "b_coffee": approved(b_from_a, coffee, 2),
    }
    confirmed = oh.place(a, coffee, 4)
    orders.confirm(a.supplier, confirmed, utcnow())
    db.session.commit()
    world["confirmed"] = confirmed
    cancelled = oh.place(a, coffee, 5)
    orders.cancel(a.pp, cancelled, "Salah pesan barang", utcnow())
    db.session.commit()
    world["cancelled"] = cancelled
    return world


def listed_ids(response) -> set[int]:
    return {int(n) for n in re.findall(r'href="/transparansi/pesanan/(\d+)"', response.get_data(as_text=True))}


def test_only_orders_with_a_signed_sp_are_listed_without_login(client, world):
    response = client.get("/transparansi")
    assert response.status_code == 200
    assert listed_ids(response) == {world["approved"].id, world["paid"].id, world["b_coffee"].id}
    for key in ("submitted", "confirmed", "cancelled"):
        assert client.get(f"/transparansi/pesanan/{world[key].id}").status_code == 404


def test_the_sql_rule_agrees_with_the_python_rule(app, world):
    every = db.session.scalars(sa.select(Order)).all()
    in_sql = set(db.session.scalars(sa.select(Order.id).where(transparency._public())))
    assert in_sql == {o.id for o in every if transparency.is_public(o)}
    assert len(in_sql) == 3


def test_a_row_names_opd_supplier_items_value_and_links_the_public_profile(client, world):
    text = page_text(client.get("/transparansi"))
    html = client.get("/transparansi").get_data(as_text=True)
    order = world["approved"]
    assert order.sp_number in text
    assert "Dinas DISDIK" in text and "CV Kopi Lokal" in text and "Kopi bubuk Singkawang 250 gram" in text
    assert "Rp 450.000" in text  # 10 × 45.000
    assert f'href="/penyedia/{order.supplier_id}"' in html


@pytest.mark.parametrize("args, expected", [
    ({"opd": "DINKES"}, {"paid", "b_coffee"}),
    ({"penyedia": "a"}, {"approved", "b_coffee"}),
    ({"label": "umk"}, {"approved", "b_coffee"}),
    ({"label": "lokal"}, {"approved", "b_coffee"}),
    ({"label": "pdn"}, {"approved", "b_coffee"}),
    ({"label": ["umk", "pdn"], "opd": "DINKES"}, {"b_coffee"}),
])
def test_filters(client, world, args, expected):
    opds = {"DISDIK": world["a"].pp.org_id, "DINKES": world["b"].pp.org_id}
    args = dict(args)
    if "opd" in args:
        args["opd"] = opds[args["opd"]]
    if "penyedia" in args:
        args["penyedia"] = world[args["penyedia"]].supplier.org_id
    response = client.get("/transparansi", query_string=args)
    assert response.status_code == 200
    assert listed_ids(response) == {world[key].id for key in expected}


def test_filter_by_category_and_month(client, world):
    order = world["paid"]
    category = order.items[0].product.category
    assert listed_ids(client.get(f"/transparansi?kategori={category.slug}")) == {order.id}
    # The top category holds its sub-categories' orders.
    assert listed_ids(client.get(f"/transparansi?kategori={category.parent.slug}")) == {order.id}
    month = transparency.city_date(order.approved_at)
    assert len(listed_ids(client.get(f"/transparansi?bulan={month:%Y-%m}"))) == 3
    earlier = month.replace(day=1) - timedelta(days=1)
    response = client.get(f"/transparansi?bulan={earlier:%Y-%m}")
    assert listed_ids(response) == set()
    assert "No orders match these filters." in page_text(response) or "Tidak ada pesanan" in page_text(response)


def test_paging(client, world, monkeypatch):
    monkeypatch.setattr(transparency, "PER_PAGE", 2)
    first, second = client.get("/transparansi"), client.get("/transparansi?hal=2")
    assert len(listed_ids(first)) == 2 and len(listed_ids(second)) == 1
    assert listed_ids(first).isdisjoint(listed_ids(second))
    assert 'rel="next"' in first.get_data(as_text=True)
    assert 'rel="next"' not in second.get_data(as_text=True)
    # Newest SP first.
    assert max(listed_ids(second)) < max(listed_ids(first))


def test_htmx_gets_only_the_list_with_vary(client, world):
    response = client.get("/transparansi?label=umk", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers.get("Vary", "")
    assert html.lstrip().startswith('<div id="pesanan"') and "<html" not in html
    restore = client.get("/transparansi", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_order_page_shows_items_prices_dates_and_status(client, world):
    order = world["paid"]
    response = client.get(f"/transparansi/pesanan/{order.id}")
    assert response.status_code == 200
    text = page_text(response)
    handover, payment = order.handover, order.payment
    assert "Masker medis impor" in text and "Rp 30.000" in text and "Rp 600.000" in text
    assert order.sp_number in text and handover.number in text and order.rup_code in text
    assert transparency.city_date(order.approved_at).strftime("%Y") in text
    from pbj.web.i18n import local_date

    with client.application.test_request_context():
        assert local_date(payment.paid_on) in text
    # The supplier's payment reference and tax figures are not the public's business.
    assert payment.reference not in text


def test_no_personal_data_of_officials_on_any_portal_page(client, world):
    people = db.session.scalars(sa.select(User)).all()
    for user in people:
        user.nip = user.nip or f"19800101200501{user.id:04d}"
    db.session.commit()
    urls = ["/transparansi", "/transparansi/penyedia", "/transparansi/pembayaran",
            *(f"/transparansi/pesanan/{world[k].id}" for k in ("approved", "paid", "b_coffee"))]
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        for user in people:
            assert user.email not in html, (url, user.email)
            assert user.nip not in html, (url, user.nip)
            assert user.name not in html, (url, user.name)
        for supplier in (world["a"].supplier, world["b"].supplier):
            assert supplier.org.supplier.npwp not in html, url


def test_suppliers_by_value_and_number_with_ratings(client, world):
    a, b = world["a"], world["b"]
    order = world["paid"]
    orders.rate(b.ppk, order, 4, "Cepat", utcnow())
    db.session.commit()
    response = client.get("/transparansi/penyedia")
    text = page_text(response)
    assert response.status_code == 200
    # By value: PT Besar Luar 600.000 before CV Kopi Lokal 540.000 (two orders).
    assert text.index("PT Besar Luar") < text.index("CV Kopi Lokal")
    assert "Rp 600.000" in text and "Rp 540.000" in text
    by_number = page_text(client.get("/transparansi/penyedia?urut=jumlah"))
    assert by_number.index("CV Kopi Lokal") < by_number.index("PT Besar Luar")
    rows = transparency.supplier_ranking(transparency.city_date(order.approved_at).year)
    assert [(r.name, r.orders, r.value, r.rating_count) for r in rows] == [
        ("PT Besar Luar", 1, 600_000, 1), ("CV Kopi Lokal", 2, 540_000, 0)]
    assert f'href="/transparansi?penyedia={a.supplier.org_id}"' in response.get_data(as_text=True)


def test_payment_times_per_opd(client, world):
    order = world["paid"]
    received(world["a"], world["approved"])  # DISDIK: received, still waiting
    rows = transparency.payment_timeliness(order.payment.paid_on.year)
    by_opd = {r.opd_name: r for r in rows}
    assert by_opd["Dinas DINKES"].paid == 1 and by_opd["Dinas DINKES"].median_days == 0
    assert by_opd["Dinas DISDIK"].paid == 0 and by_opd["Dinas DISDIK"].waiting == 1
    text = page_text(client.get("/transparansi/pembayaran"))
    assert "Dinas DINKES" in text and "Dinas DISDIK" in text


def test_median_days_from_bast_to_payment(app, world):
    order = world["paid"]
    order.payment.paid_on = order.handover.signed_on + timedelta(days=9)
    db.session.commit()
    rows = {r.opd_name: r for r in transparency.payment_timeliness(order.payment.paid_on.year)}
    assert rows["Dinas DINKES"].median_days == 9 and rows["Dinas DINKES"].longest_days == 9


@pytest.mark.parametrize("query", [
    "opd=abc", "opd=-1", "opd=99999999999999999999", "penyedia=0", "penyedia=9999", "kategori=tidak-ada",
    "kategori=" + "x" * 500, "bulan=2026-13", "bulan=abcd-ef", "bulan=99999-01", "label=xyz",
    "hal=-5", "hal=abc", "hal=99999999999999999999999", "hal=1e9", "opd=%F0%9F%98%80", "bulan=2026-1-1", "label=umk&label=umk",
])
def test_bad_parameters_never_fail(client, world, query):
    assert client.get(f"/transparansi?{query}").status_code == 200


@pytest.mark.parametrize("url", ["/transparansi/penyedia?tahun=abc", "/transparansi/penyedia?tahun=99999",
                                 "/transparansi/penyedia?urut=x", "/transparansi/pembayaran?tahun=1",
                                 "/transparansi/pembayaran?tahun=%00", "/transparansi/pesanan/0",
                                 "/transparansi/pesanan/99999999999999999999"])
def test_bad_parameters_of_the_other_pages(client, world, url):
    assert client.get(url).status_code in (200, 400, 404)  # 400: the app refuses NUL bytes everywhere


def test_a_page_beyond_the_cap_says_how_to_narrow(client, world):
    text = page_text(client.get(f"/transparansi?hal={transparency.MAX_PAGE + 5}"))
    assert str(transparency.MAX_PAGE) in text


def test_hostile_text_is_escaped(client, world):
    product_order = world["approved"]
    product_order.items[0].name = '<script>alert(1)</script>'
    product_order.opd.name = '<b hx-get="/keluar">OPD</b>'
    db.session.commit()
    for url in ("/transparansi", f"/transparansi/pesanan/{product_order.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert '<b hx-get="/keluar">' not in html


def test_home_page_header_and_footer_link_the_portal(client, auth, create_user):
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/transparansi"') == 3  # the promise on the page, the menu, the footer
    auth.login(create_user(Role.PP))
    assert client.get("/").get_data(as_text=True).count('href="/transparansi"') == 2  # not in the menu


def test_the_city_totals_are_the_meters_figures(client, world):
    from pbj.clock import city_today
    from pbj.services import spending
    from pbj.web.i18n import rupiah

    totals = spending.city_totals(city_today().year)
    assert totals.orders >= 1 and totals.committed > 0  # the world has signed orders this year
    page = page_text(client.get("/transparansi"))
    assert f"Belanja katalog kota tahun {totals.year}" in page
    for amount in (totals.committed, totals.received, totals.paid):
        assert rupiah(amount) in page
    assert f"Penyedia yang menjual {totals.suppliers}" in page
    # The htmx list swap carries the orders only, not the totals again.
    fragment = client.get("/transparansi?opd=", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "city-totals" not in fragment
