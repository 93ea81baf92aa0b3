"""The ordering pages: cart, checkout, the order page's actions, notifications."""
import re

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.orders import CartItem, Order, OrderStatus
from tests import order_helpers as oh


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def fresh(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id)


def audit_count():
    """Entries about orders (logging in writes entries too)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == "orders"))


def checkout_form(p, **changes):
    form = {"package_id": str(oh.package(p).id),
            "delivery_address": "Jl. Firdaus No. 1", "needed_by": oh.today().replace(year=oh.today().year + 1)
            .isoformat(), "ppk_id": str(p.ppk.id)}
    form.update(changes)
    return form


def test_whole_lifecycle_with_plain_forms(p, client, auth):
    product = oh.listed(p, stock=20, price=50_000)
    auth.login(p.pp)
    added = client.post("/keranjang", data={"product_id": product.id, "quantity": "4"})
    assert added.status_code == 303
    cart = client.get("/keranjang")
    assert product.name in cart.get_data(as_text=True)
    assert client.get("/keranjang/pesan").status_code == 200
    done = client.post("/keranjang/pesan", data=checkout_form(p))
    assert done.status_code == 303
    order_id = int(re.search(r"/pesanan/(\d+)", done.headers["Location"]).group(1))
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert "Batalkan" in page or "Cancel the order" in page  # the buyer may cancel
    auth.logout()

    auth.login(p.supplier)
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    assert f"/pesanan/{order_id}/konfirmasi" in page and f"/pesanan/{order_id}/setujui" not in page
    assert client.post(f"/pesanan/{order_id}/konfirmasi").status_code == 303
    auth.logout()

    auth.login(p.ppk)
    assert client.post(f"/pesanan/{order_id}/setujui").status_code == 303
    order = fresh(order_id)
    assert order.status is OrderStatus.APPROVED and order.sp_number.startswith(f"SP/{p.opd_code}/")
    assert client.get(f"/pesanan/{order_id}/dokumen/sp").status_code == 200
    auth.logout()

    item_id = order.items[0].id
    auth.login(p.supplier)
    bad = client.post(f"/pesanan/{order_id}/kirim", data={"note_number": "SJ-1", "shipped_on": oh.today().isoformat(),
                                                          f"qty_{item_id}": "9"})
    assert bad.status_code == 422 and fresh(order_id).status is OrderStatus.APPROVED
    ok = client.post(f"/pesanan/{order_id}/kirim", data={"note_number": "SJ-1",
                                                         "shipped_on": oh.today().isoformat(), f"qty_{item_id}": "4"})
    assert ok.status_code == 303
    auth.logout()

    auth.login(p.ppk)
    signed = client.post(f"/pesanan/{order_id}/bast", data={"signed_on": oh.today().isoformat(),
                                                            f"qty_{item_id}": "4", "notes": "Baik"})
    assert signed.status_code == 303 and fresh(order_id).status is OrderStatus.RECEIVED
    auth.logout()

    auth.login(p.bendahara)
    page = client.get(f"/pesanan/{order_id}").get_data(as_text=True)
    net = fresh(order_id)
    from pbj.services import orders
    tax = orders.tax_breakdown(net)
    wrong = client.post(f"/pesanan/{order_id}/bayar", data={"paid_on": oh.today().isoformat(),
                                                            "reference": "SP2D-9", "amount": f"{tax.net + 1}"})
    assert wrong.status_code == 422
    paid = client.post(f"/pesanan/{order_id}/bayar", data={"paid_on": oh.today().isoformat(),
                                                           "reference": "SP2D-9", "amount": f"{tax.net}"})
    assert paid.status_code == 303
    auth.logout()

    auth.login(p.ppk)
    assert client.post(f"/pesanan/{order_id}/nilai", data={"stars": "5", "comment": "Cepat"}).status_code == 303
    auth.logout()
    auth.login(p.supplier)
    assert client.post(f"/pesanan/{order_id}/balas", data={"reply": "Terima kasih"}).status_code == 303
    assert fresh(order_id).status is OrderStatus.COMPLETED
    profile = client.get(f"/penyedia/{p.supplier.org_id}").get_data(as_text=True)
    assert "Cepat" in profile and "Terima kasih" in profile


def test_add_to_cart_in_place_with_htmx_and_errors(p, client, auth):
    product = oh.listed(p, stock=3)
    auth.login(p.pp)
    answer = client.post("/keranjang", data={"product_id": product.id, "quantity": "2"},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "<html" not in answer.get_data(as_text=True)
    too_many = client.post("/keranjang", data={"product_id": product.id, "quantity": "2"},
                           headers={"HX-Request": "true"})
    assert too_many.status_code == 422
    assert db.session.scalar(sa.select(CartItem.quantity)) == 2  # nothing changed
    nonsense = client.post("/keranjang", data={"product_id": product.id, "quantity": "dua"})
    assert nonsense.status_code == 303  # back to the product with the message
    assert client.post("/keranjang", data={"product_id": "abc", "quantity": "1"}).status_code == 404


def test_cart_rows_are_changed_and_removed_with_plain_forms(p, client, auth):
    product = oh.listed(p, "Map Plastik", stock=3)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "1"})
    item_id = db.session.scalar(sa.select(CartItem.id))
    too_many = client.post(f"/keranjang/{item_id}", data={"quantity": "5"})
    assert too_many.status_code == 422  # the cart again, the stock message beside the row
    assert f'id="q-{item_id}-error"' in too_many.get_data(as_text=True)
    assert db.session.scalar(sa.select(CartItem.quantity)) == 1
    assert client.post(f"/keranjang/{item_id}", data={"quantity": "3"}).status_code == 303
    assert db.session.scalar(sa.select(CartItem.quantity)) == 3
    removed = client.post(f"/keranjang/{item_id}/hapus", follow_redirects=True)
    assert "Map Plastik" in removed.get_data(as_text=True)  # the flash names it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CartItem)) == 0


def test_checkout_errors_keep_the_cart_and_say_why(p, client, auth):
    product = oh.listed(p, stock=5)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "1"})
    before = audit_count()
    answer = client.post("/keranjang/pesan", data=checkout_form(p, package_id="abc", needed_by="kemarin"))
    assert answer.status_code == 422
    assert "There is a problem" in answer.get_data(as_text=True) or "Ada masalah" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CartItem)) == 1
    assert audit_count() == before


def test_a_weak_explanation_shows_on_its_field_and_keeps_the_cart(p, client, auth):
    cat = oh.h.category("Kertas")
    oh.listed(p, "Kertas TKDN 45", tkdn=45, cat=cat)
    imported = oh.listed(p, "Kertas impor", pdn=False, cat=cat)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": imported.id, "quantity": "2"})
    key = f"explanation_{p.supplier.org_id}"
    ground = {f"ground_{p.supplier.org_id}": "volume_not_enough"}
    page = client.get("/keranjang/pesan").get_data(as_text=True)
    assert f'<textarea aria-describedby="{key}-hint" id="{key}" name="{key}"' in page
    assert "volume/jumlah tidak mencukupi kebutuhan" in page  # the grounds, in Indonesian
    before = audit_count()
    answer = client.post("/keranjang/pesan", data=checkout_form(p, **ground, **{key: "Terlalu singkat"}))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert html.count("Ada masalah") == 1  # one error summary, linking to the field
    assert f'href="#{key}"' in html and f'id="{key}-error"' in html
    assert f'aria-describedby="{key}-hint {key}-error" aria-invalid="true"' in html
    assert "Terlalu singkat</textarea>" in html  # what was written stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.scalar(sa.select(CartItem.quantity)) == 2
    assert audit_count() == before
    assert "Jelaskan dengan kata-kata Anda sendiri" in html  # the rule, in plain Indonesian
    why = "Penyedia produk TKDN 45 hanya punya 1 rim, kami butuh 2 rim minggu ini."
    done = client.post("/keranjang/pesan", data=checkout_form(p, **ground, **{key: why}))
    assert done.status_code == 303
    assert db.session.execute(sa.select(Order.preference_ground, Order.preference_explanation)).one() == \
        ("volume_not_enough", why)


def test_wrong_people_and_wrong_states_are_refused(p, client, auth, create_user, create_org):
    from pbj.models.accounts import Role

    product = oh.listed(p)
    order = oh.place(p, product, 2)
    before = audit_count()
    auth.login(p.pp)
    assert client.post(f"/pesanan/{order.id}/setujui").status_code == 403  # a PP is not the PPK
    auth.logout()
    auth.login(p.ppk)
    assert client.post(f"/pesanan/{order.id}/setujui").status_code == 409  # not confirmed yet
    auth.logout()
    auth.login(create_user(Role.PPK, org=create_org()))
    assert client.get(f"/pesanan/{order.id}").status_code == 404  # another OPD cannot see it
    assert client.post(f"/pesanan/{order.id}/batal", data={"reason": "bukan urusan"}).status_code == 404
    auth.logout()
    auth.login(create_user(Role.AUDITOR))
    assert client.get(f"/pesanan/{order.id}").status_code == 200
    assert client.post(f"/pesanan/{order.id}/batal", data={"reason": "pengawasan"}).status_code == 403
    assert fresh(order.id).status is OrderStatus.SUBMITTED and audit_count() == before


def test_order_list_filters_and_notifications(p, client, auth):
    product = oh.listed(p)
    order = oh.place(p, product, 1)
    auth.login(p.supplier)
    listing = client.get("/pesanan?status=menunggu-penyedia").get_data(as_text=True)
    assert f"/pesanan/{order.id}" in listing
    assert f"/pesanan/{order.id}" not in client.get("/pesanan?status=selesai").get_data(as_text=True)
    assert client.get("/pesanan?status=<script>&hal=abc").status_code == 200
    page = client.get("/notifikasi").get_data(as_text=True)
    assert f"/pesanan/{order.id}" in page
    assert client.post("/notifikasi/baca").status_code == 303
    from pbj.services import notifications
    assert notifications.unread_count(p.supplier) == 0


def _shipped_order(p):
    from pbj.clock import utcnow
    from pbj.services import orders

    product = oh.listed(p, stock=10)
    order = oh.place(p, product, 3)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    orders.ship(p.supplier, order, {order.items[0].id: 3}, "SJ-9", oh.today(), "", utcnow(), oh.today())
    db.session.commit()
    return order


def test_bast_photo_is_checked_stored_and_shown_only_to_the_parties(p, client, auth, create_user, create_org):
    import io
    from pathlib import Path

    from pbj.models.accounts import Role
    from tests.catalogue_helpers import tiny_jpeg

    order = _shipped_order(p)
    item_id = order.items[0].id
    auth.login(p.ppk)
    fake = client.post(f"/pesanan/{order.id}/bast", data={
        "signed_on": oh.today().isoformat(), f"qty_{item_id}": "3",
        "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "foto.jpg")}, content_type="multipart/form-data")
    assert fake.status_code == 422 and fresh(order.id).status is OrderStatus.SHIPPED
    evidence = Path(client.application.instance_path) / "uploads" / "evidence"
    too_many = client.post(f"/pesanan/{order.id}/bast", data={
        "signed_on": oh.today().isoformat(), f"qty_{item_id}": "4",  # more than delivered
        "photo": (io.BytesIO(tiny_jpeg()), "foto.jpg")}, content_type="multipart/form-data")
    assert too_many.status_code == 422
    assert not evidence.exists() or list(evidence.iterdir()) == []  # a refused BAST leaves no file
    signed = client.post(f"/pesanan/{order.id}/bast", data={
        "signed_on": oh.today().isoformat(), f"qty_{item_id}": "3", "notes": "Lengkap",
        "photo": (io.BytesIO(tiny_jpeg()), "foto.jpg")}, content_type="multipart/form-data")
    assert signed.status_code == 303
    photo = client.get(f"/pesanan/{order.id}/bast/foto")
    assert photo.status_code == 200 and photo.data[:2] == b"\xff\xd8"
    assert "no-store" in photo.headers["Cache-Control"]
    auth.logout()
    auth.login(create_user(Role.PPK, org=create_org()))
    assert client.get(f"/pesanan/{order.id}/bast/foto").status_code == 404


def test_catalogue_cards_add_the_minimum_order_for_buyers_only(p, client, auth):
    product = oh.listed(p, "Map Plastik Kancing", min_order=5, stock=50)
    page = client.get("/katalog").get_data(as_text=True)
    assert 'form="tambah"' not in page  # the public sees no cart button
    auth.login(p.pp)
    page = client.get("/katalog?q=map").get_data(as_text=True)
    assert 'id="tambah"' in page and f'value="{product.id}"' in page
    back = client.post("/keranjang", data={"product_id": product.id, "next": "/katalog?q=map"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/katalog?q=map")
    assert db.session.scalar(sa.select(CartItem.quantity)) == 5  # the minimum order
    fragment = client.post("/keranjang", data={"product_id": product.id}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert db.session.scalar(sa.select(CartItem.quantity)) == 10
    elsewhere = client.post("/keranjang", data={"product_id": product.id, "next": "https://jahat.example/"})
    assert elsewhere.status_code == 303 and "jahat" not in elsewhere.headers["Location"]
    auth.logout()
    auth.login(p.supplier)
    assert 'form="tambah"' not in client.get("/katalog").get_data(as_text=True)


def test_a_ppk_sees_the_cancel_and_reject_forms_each_with_its_own_field(p, client, auth):
    order = oh.place(p, oh.listed(p))
    auth.login(p.ppk)
    body = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    for action in ("cancel", "ppk_reject"):
        assert f'<label for="{action}-reason">' in body
        assert re.search(f'<textarea aria-describedby="{action}-reason-hint" id="{action}-reason" [^>]*'
                         f'name="reason"', body)
    assert 'id="reason"' not in body
    # An empty reason comes back on the reject form only, and the summary links to it.
    answer = client.post(f"/pesanan/{order.id}/tolak-ppk", data={"reason": ""})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert 'href="#ppk_reject-reason"' in body
    assert body.count('aria-invalid="true"') == 1
    assert 'id="ppk_reject-reason-error"' in body and 'id="cancel-reason-error"' not in body
    assert fresh(order.id).status is OrderStatus.SUBMITTED


def test_checkout_starts_from_the_opds_address(p, client, auth):
    p.pp.org.address = "Jl. Firdaus No. 1, Kel. Sungai Garam Hilir, Singkawang Utara"
    db.session.commit()
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": oh.listed(p, "Map plastik").id, "quantity": "10"})
    page = client.get("/keranjang/pesan").get_data(as_text=True)
    box = re.search(r'<textarea[^>]*id="delivery_address"[^>]*>(.*?)</textarea>', page, re.S)[1]
    assert box.strip() == "Jl. Firdaus No. 1, Kel. Sungai Garam Hilir, Singkawang Utara"
    assert "Sudah diisi dengan alamat OPD Anda" in page
    # Without an address on file the box starts empty, with no such hint.
    p.pp.org.address = None
    db.session.commit()
    page = client.get("/keranjang/pesan").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="delivery_address"[^>]*>\s*</textarea>', page)
    assert "Sudah diisi dengan alamat OPD Anda" not in page
