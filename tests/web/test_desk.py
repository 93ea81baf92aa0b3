"""The desk (/meja): each role lands there after login and sees what waits for them,
oldest first, and nothing of other people's or other organisations' work."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import catalogue, desk, orders, revisions
from tests import catalogue_helpers as h
from tests import order_helpers as oh
from tests.conftest import PASSWORD
from tests.query_count import queries


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, key: str) -> str:
    """The HTML of one desk section (its heading, list or empty sentence)."""
    found = re.search(rf'<section class="desk-section" aria-labelledby="desk-{key}">(.*?)</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def order_link(order) -> str:
    return f'href="/pesanan/{order.id}"'


def desk_of(app, user) -> str:
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    response = client.get("/meja")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier, supplier_name="UMKM Kertas Pasiran")


@pytest.fixture
def other(app, create_org, create_user, create_supplier, p):
    """Another OPD with its own people, and another supplier."""
    return oh.parties(create_org, create_user, create_supplier, code="DINKES", supplier_name="UMKM Lain")


def now():
    return utcnow()


def negotiating(p, product, supplier_answers: bool):
    """An order in negotiation: the buyer's offer waits for the supplier, or (after the
    supplier's counter-offer) the supplier's waits for the buyer."""
    order = oh.place(p, product, 10)
    item = order.items[0]
    orders.make_offer(p.pp, order, {item.id: item.list_price - 5_000}, "", now())
    if supplier_answers:
        orders.make_offer(p.supplier, order, {item.id: item.list_price - 2_000}, "", now())
    db.session.commit()
    return order


def approved(p, product, quantity=10):
    order = oh.place(p, product, quantity)
    orders.confirm(p.supplier, order, now())
    orders.approve(p.ppk, order, now(), oh.today())
    db.session.commit()
    return order


def shipped(p, product):
    order = approved(p, product)
    orders.ship(p.supplier, order, {order.items[0].id: 10}, "SJ-01", oh.today(), "", now(), oh.today())
    db.session.commit()
    return order


def received(p, product):
    order = shipped(p, product)
    orders.sign_handover(p.ppk, order, {order.items[0].id: 10}, "", oh.today(), None, now(), oh.today())
    db.session.commit()
    return order


def paid(p, product):
    order = received(p, product)
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-01", orders.tax_breakdown(order).net, now(),
                          oh.today())
    db.session.commit()
    return order


# -- Landing on the desk ------------------------------------------------------------------

def test_every_role_lands_on_the_desk_after_login_and_a_safe_next_is_kept(app, p, create_user):
    auditor = create_user(Role.AUDITOR)
    for user in (p.pp, p.ppk, p.bendahara, p.supplier, p.admin, auditor):
        client = app.test_client()
        response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303 and response.headers["Location"] == "/meja", user.role
        assert client.get("/masuk").headers["Location"] == "/meja"  # already signed in
    kept = app.test_client().post("/masuk", query_string={"next": "/pesanan"},
                                  data={"email": p.pp.email, "password": PASSWORD})
    assert kept.headers["Location"] == "/pesanan"
    off_site = app.test_client().post("/masuk", query_string={"next": "//evil.example/meja"},
                                      data={"email": p.pp.email, "password": PASSWORD})
    assert off_site.headers["Location"] == "/meja"


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/meja")
    assert response.status_code in (302, 303) and response.headers["Location"].startswith("/masuk")


def test_the_header_links_to_the_desk_for_signed_in_users_only(app, client, p):
    assert 'href="/meja"' not in client.get("/katalog").get_data(as_text=True)
    html = desk_of(app, p.bendahara)
    assert re.search(r'<a href="/meja" aria-current="page">Meja saya</a>', html)
    assert "<h1>Meja saya</h1>" in html


# -- PP --------------------------------------------------------------------------------

def test_pp_sees_cart_offers_waiting_orders_and_deliveries_of_their_own_orders(app, p, other, create_user):
    paper = oh.listed(p, stock=None)
    waiting = oh.place(p, paper, 5)
    offered = negotiating(p, paper, supplier_answers=True)
    own_offer = negotiating(p, paper, supplier_answers=False)
    coming = approved(p, paper)
    orders.add_to_cart(p.pp, paper, 3, oh.today())
    db.session.commit()

    html = desk_of(app, p.pp)
    cart = section(html, "cart")
    assert "Kertas HVS A4 80 gram" in cart and "3 buah" in cart and "(1)" in cart
    offers = section(html, "offers_to_answer")
    assert order_link(offered) in offers and order_link(own_offer) not in offers
    assert "pukul 24.00 WIB" in offers and "sisa " in offers  # the deadline and the time left
    supplier_turn = section(html, "waiting_for_supplier")
    assert order_link(waiting) in supplier_turn and order_link(own_offer) in supplier_turn
    assert order_link(offered) not in supplier_turn and "(2)" in supplier_turn
    deliveries = section(html, "deliveries_to_receive")
    assert order_link(coming) in deliveries and "dikirim/dikerjakan 0 dari 10" in text_of(deliveries)
    # Oldest deadline first.
    assert supplier_turn.index(order_link(waiting)) < supplier_turn.index(order_link(own_offer))

    # Another PP of the same OPD, and the PP of another OPD, see none of it.
    for stranger in (create_user(Role.PP, org=p.pp.org), other.pp):
        page = desk_of(app, stranger)
        assert not re.search(r'href="/pesanan/\d+"', page)
        assert "Keranjang Anda kosong." in page


def test_a_new_pp_sees_an_empty_state_sentence_in_every_section(app, p):
    html = text_of(desk_of(app, p.pp))
    for sentence in ("Keranjang Anda kosong.", "Tidak ada penawaran penyedia yang menunggu jawaban Anda.",
                     "Tidak ada pesanan Anda yang menunggu penyedia.",
                     "Tidak ada barang/jasa yang sedang dikirim atau dikerjakan untuk Anda."):
        assert sentence in html


# -- PPK -------------------------------------------------------------------------------

def test_ppk_sees_orders_to_approve_with_time_left_and_basts_to_sign(app, p, other, create_user, pinned_clock):
    pinned_clock(datetime(2026, 12, 4, 3, 0))  # Friday 4 Dec 2026, 10.00 WIB
    paper = oh.listed(p, stock=None)
    to_approve = oh.place(p, paper, 2)
    orders.confirm(p.supplier, to_approve, now())
    db.session.commit()
    to_sign = shipped(p, paper)
    to_rate = paid(p, paper)

    html = desk_of(app, p.ppk)
    approve = section(html, "orders_to_approve")
    assert order_link(to_approve) in approve
    # Confirmed on Friday: 3 working days, to the end of Wednesday (WIB), 5 days 14 hours from 10.00.
    assert "Rabu, 9 Desember 2026 pukul 24.00 WIB" in approve and "sisa 5 hari 14 jam" in approve
    assert order_link(to_sign) in section(html, "handovers_to_sign")
    assert order_link(to_rate) in section(html, "suppliers_to_rate")
    # The PPK did not order: the buyer's sections are not shown.
    assert 'aria-labelledby="desk-cart"' not in html

    # Another PPK of the same OPD and another OPD's PPK see none of it.
    for stranger in (create_user(Role.PPK, org=p.ppk.org), other.ppk):
        page = desk_of(app, stranger)
        assert not re.search(r'href="/pesanan/\d+"', page)
        assert "Tidak ada pesanan yang menunggu persetujuan Anda." in text_of(page)
        assert "Tidak ada barang/jasa yang menunggu BAST Anda." in text_of(page)


def test_a_ppk_who_orders_also_sees_their_cart(app, p):
    orders.add_to_cart(p.ppk, oh.listed(p), 4, oh.today())
    db.session.commit()
    assert "4 buah" in section(desk_of(app, p.ppk), "cart")


def test_only_basts_the_ppk_may_sign_are_listed(app, p):
    """The desk asks the lifecycle table (`available`), as the order page does."""
    order = shipped(p, oh.listed(p, stock=None))
    assert [s.items for s in desk.sections_for(p.ppk, now(), oh.today()) if s.key == "handovers_to_sign"] == [[order]]
    assert [s.count for s in desk.sections_for(p.ppk, now(), oh.today()) if s.key == "orders_to_approve"] == [0]


# -- Bendahara -------------------------------------------------------------------------

def test_bendahara_sees_basts_to_pay_and_overdue_payments(app, p, other, pinned_clock):
    pinned_clock(datetime(2026, 11, 2, 3, 0))  # Monday 2 Nov 2026
    paper = oh.listed(p, stock=None)
    old = received(p, paper)
    pinned_clock(datetime(2026, 11, 30, 3, 0))  # four weeks later: 20 working days
    recent = received(p, paper)

    html = desk_of(app, p.bendahara)
    to_pay = section(html, "payments_to_make")
    assert order_link(old) in to_pay and order_link(recent) in to_pay and "(2)" in to_pay
    assert to_pay.index(order_link(old)) < to_pay.index(order_link(recent))  # oldest BAST first
    # 14 working days after Monday 2 Nov: Friday 20 Nov.
    assert "Jumat, 20 November 2026 pukul 24.00 WIB" in to_pay and "terlambat" in to_pay
    overdue = section(html, "payments_overdue")
    assert order_link(old) in overdue and order_link(recent) not in overdue and "(1)" in overdue
    assert "lebih dari 14 hari kerja" in text_of(overdue)

    page = text_of(desk_of(app, other.bendahara))
    assert "Tidak ada BAST yang menunggu pembayaran." in page and "Tidak ada pembayaran yang terlambat." in page


def test_overdue_starts_the_day_after_the_due_day(app, p):
    """Received on a Monday with 14 working days: due Friday two weeks later; overdue from Saturday."""
    config = dict(app.config, PAYMENT_DUE_WORKING_DAYS=14)
    received_at = datetime(2026, 11, 2, 3, 0)  # Monday 2 Nov 2026, 10.00 WIB
    assert desk.payment_due(received_at, config) == datetime(2026, 11, 20, 17, 0)  # Fri 20 Nov, 24.00 WIB
    assert not received_at < desk.overdue_cutoff(date(2026, 11, 20), config)
    assert received_at < desk.overdue_cutoff(date(2026, 11, 21), config)
    config["PAYMENT_DUE_WORKING_DAYS"] = 1
    assert received_at < desk.overdue_cutoff(date(2026, 11, 4), config)
    assert not received_at < desk.overdue_cutoff(date(2026, 11, 3), config)


# -- Supplier --------------------------------------------------------------------------

def test_supplier_sees_new_orders_negotiations_deliveries_payments_and_products(app, p, other):
    paper = oh.listed(p, stock=None)
    new = oh.place(p, paper, 5)
    talks = negotiating(p, paper, supplier_answers=False)
    due = approved(p, paper)
    money = paid(p, paper)
    in_review = h.product(p.supplier, p.admin, "Map Plastik Biru", publish=False)
    catalogue.submit_product(p.supplier, in_review)
    refused = h.product(p.supplier, p.admin, "Amplop Coklat Besar", publish=False)
    catalogue.submit_product(p.supplier, refused)
    catalogue.reject_product(p.admin, refused, "Foto <b>buram</b>, kirim foto yang jelas")
    db.session.commit()

    html = desk_of(app, p.supplier)
    assert order_link(new) in section(html, "orders_to_answer")
    negotiations = section(html, "negotiations")
    assert order_link(talks) in negotiations and "menunggu Anda" in negotiations
    deliveries = section(html, "deliveries_due")
    assert order_link(due) in deliveries and order_link(money) not in deliveries
    assert "Tanggal pengiriman pada Surat Pesanan" in text_of(deliveries)
    payments = section(html, "payments_received")
    assert order_link(money) in payments and "ditransfer" in payments
    review = section(html, "products_in_review")
    assert "Map Plastik Biru" in review and f'href="/usaha/produk/{in_review.id}"' in review
    turned_down = section(html, "products_not_approved")
    assert "Amplop Coklat Besar" in turned_down
    assert "Foto &lt;b&gt;buram&lt;/b&gt;, kirim foto yang jelas" in turned_down  # escaped once

    page = desk_of(app, other.supplier)
    assert not re.search(r'href="/pesanan/\d+"', page) and "Map Plastik Biru" not in page
    assert "Tidak ada pesanan baru yang menunggu jawaban Anda." in text_of(page)


def test_supplier_sees_a_change_in_review_then_its_rejection(app, p):
    paper = oh.listed(p, price=50_000)
    data = catalogue.ProductData(category_id=paper.category_id, name=paper.name, unit=paper.unit, unit_price=80_000,
                                 stock=paper.stock, origin=paper.origin)
    result = catalogue.update_product(p.supplier, paper, data, now())
    db.session.commit()
    assert result.revision is not None
    assert "Perubahan produk tayang" in section(desk_of(app, p.supplier), "products_in_review")
    revisions.reject_revision(p.admin, result.revision, "Kenaikan harga tidak wajar", now())
    db.session.commit()
    html = desk_of(app, p.supplier)
    assert "Kenaikan harga tidak wajar" in section(html, "products_not_approved")
    assert paper.name not in section(html, "products_in_review")


# -- Admin and auditor -----------------------------------------------------------------

def test_admin_sees_suppliers_to_verify_and_products_to_review_with_counts(app, p, create_supplier):
    waiting = create_supplier("UMKM Menunggu Verifikasi", with_document=True)
    h.verified(p.supplier, p.admin)
    draft = h.product(p.supplier, p.admin, "Spidol Papan Tulis", publish=False)
    catalogue.submit_product(p.supplier, draft)
    db.session.commit()

    html = desk_of(app, p.admin)
    suppliers = section(html, "suppliers_to_verify")
    assert "UMKM Menunggu Verifikasi" in suppliers and f'href="/admin/penyedia/{waiting.org_id}"' in suppliers
    assert "1 dokumen" in suppliers and "UMKM Kertas Pasiran" not in suppliers
    products = section(html, "products_to_review")
    assert "Spidol Papan Tulis" in products and "(1)" in products
    assert 'href="/admin/produk?jenis=baru"' in products
    assert "Tidak ada perubahan produk tayang yang menunggu peninjauan." in text_of(section(html, "changes_to_review"))


def test_lists_are_capped_with_a_link_to_see_all(app, p):
    for n in range(desk.LIST_SIZE + 2):
        product = h.product(p.supplier, p.admin, f"Pulpen Hitam {n}", publish=False)
        catalogue.submit_product(p.supplier, product)
    db.session.commit()
    products = section(desk_of(app, p.admin), "products_to_review")
    assert products.count("<li>") == desk.LIST_SIZE and f"({desk.LIST_SIZE + 2})" in products
    assert f"Lihat semua {desk.LIST_SIZE + 2}" in products
    assert products.index("Pulpen Hitam 0<") < products.index("Pulpen Hitam 1<")  # longest waiting first


def test_auditor_sees_the_latest_audit_entries_first(app, p, create_user):
    auditor = create_user(Role.AUDITOR)
    order = oh.place(p, oh.listed(p), 2)
    html = desk_of(app, auditor)
    activity = section(html, "recent_activity")
    assert order_link(order) in activity and 'href="/audit/"' in activity
    assert activity.index("Masuk") < activity.index(order_link(order))  # the auditor's own login is newest


# -- The product page for visitors -----------------------------------------------------

def test_anonymous_product_page_explains_who_may_order_and_how_to_sign_in(app, client, p):
    product = oh.listed(p)
    html = client.get(f"/produk/{product.id}").get_data(as_text=True)
    box = re.search(r'<section class="box how-to-order".*?</section>', html, re.S).group(0)
    assert "Cara memesan" in box and "PPK" in box and "Kota Singkawang" in box
    assert f'href="/masuk?next=/produk/{product.id}"' in box or \
        f'href="/masuk?next=%2Fproduk%2F{product.id}"' in box
    assert "how-to-order" not in desk_of(app, p.pp)
    signed_in = app.test_client()
    signed_in.post("/masuk", data={"email": p.pp.email, "password": PASSWORD})
    assert "how-to-order" not in signed_in.get(f"/produk/{product.id}").get_data(as_text=True)


# -- Fast with many orders ---------------------------------------------------------------



def test_the_desk_reads_a_fixed_number_of_queries_however_much_waits(app, p, create_user):
    """No query per row: one more order in every state changes no role's query count."""
    paper = oh.listed(p, stock=None)
    users = (p.pp, p.ppk, p.bendahara, p.supplier, p.admin, create_user(Role.AUDITOR))
    clients = {}
    for user in users:
        clients[user.id] = app.test_client()
        clients[user.id].post("/masuk", data={"email": user.email, "password": PASSWORD})

    def one_of_each():
        oh.place(p, paper, 2)
        negotiating(p, paper, supplier_answers=True)
        confirmed = oh.place(p, paper, 2)
        orders.confirm(p.supplier, confirmed, now())
        db.session.commit()
        approved(p, paper)
        shipped(p, paper)
        received(p, paper)
        paid(p, paper)
        for name in ("Map", "Amplop"):
            product = h.product(p.supplier, p.admin, f"{name} {utcnow().timestamp()}", publish=False)
            catalogue.submit_product(p.supplier, product)
        catalogue.reject_product(p.admin, product, "Foto kurang jelas")
        db.session.commit()

    one_of_each()
    few = {user.role: queries(clients[user.id], "/meja") for user in users}
    one_of_each()
    one_of_each()
    many = {user.role: queries(clients[user.id], "/meja") for user in users}
    assert many == few
