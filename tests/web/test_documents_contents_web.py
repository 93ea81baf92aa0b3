"""What the documents carry (issue 11, "Documents"): the SP's parties with NIP and
addresses, delivery date and place, penalty clause and payment method; the tagihan
wording and its old URL; the payment record's SP2D and receipts; NIP and OPD address
forms, with refusals in plain Indonesian."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order, OrderDocumentKind, PaymentMethod
from pbj.services import accounts, documents, orders
from tests import order_helpers as oh

NIP_PPK = "198503122010011004"


def now():
    return utcnow()


text_of = oh.page_text


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    parties = oh.parties(create_org, create_user, create_supplier, supplier_name="CV Tempayan Naga")
    parties.ppk.name = "Budi Santoso"
    parties.ppk.nip = NIP_PPK
    parties.ppk.org.address = "Jl. Alianyang No. 18, Kel. Pasiran, Singkawang"
    db.session.commit()
    return parties


def approved(p, method=PaymentMethod.LS, changed_to=None) -> Order:
    product = oh.listed(p, price=150_000, stock=50)
    order = oh.place(p, product, quantity=10, payment_method=method)
    orders.confirm(p.supplier, order, now())
    orders.approve(p.ppk, order, now(), oh.today(), payment_method=changed_to)
    db.session.commit()
    return order


def received(p, **kw) -> Order:
    order = approved(p, **kw)
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 10}, "SJ-01", oh.today(), "", now(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 10}, "", oh.today(), None, now(), oh.today())
    db.session.commit()
    return order


def test_sp_shows_every_required_element_in_indonesian(p, client, auth):
    order = approved(p, method=PaymentMethod.KKPD)
    auth.login(p.pp)
    response = client.get(f"/pesanan/{order.id}/dokumen/sp")
    assert response.status_code == 200
    text = text_of(response)
    supplier = p.supplier.org.supplier
    assert "Budi Santoso" in text and f"NIP {NIP_PPK}" in text                     # PPK name and NIP
    assert "Alamat OPD" in text and "Jl. Alianyang No. 18, Kel. Pasiran, Singkawang" in text
    assert "Alamat penyedia" in text and supplier.address in text                  # supplier address
    assert "NIB penyedia" in text and supplier.nib in text                          # supplier NIB
    assert "Tempat penyerahan" in text and "Jl. Firdaus No. 1, Singkawang" in text  # place
    assert "Tanggal penyerahan (paling lambat)" in text                             # promised date
    assert "Kertas HVS A4 80 gram" in text and "150.000" in text                    # items, agreed price
    assert "Denda keterlambatan" in text and "1‰ (1 permil)" in text and "Pasal 79 ayat (4)" in text
    assert "Cara pembayaran" in text and "KKPD (kartu kredit pemerintah daerah)" in text
    data = documents.content(order, OrderDocumentKind.SURAT_PESANAN)
    assert data["ppk"]["nip"] == NIP_PPK and data["payment_method"] == "kkpd"
    assert data["penalty_per_mille_per_day"] == 1 and data["needed_by"] == order.needed_by


def test_ppk_changes_the_payment_method_when_approving(p, client, auth):
    product = oh.listed(p, price=150_000, stock=50)
    order = oh.place(p, product, quantity=2, payment_method=PaymentMethod.LS)
    orders.confirm(p.supplier, order, now())
    db.session.commit()
    auth.login(p.ppk)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert 'name="payment_method"' in page
    bad = client.post(f"/pesanan/{order.id}/setujui", data={"payment_method": "cek"})
    assert bad.status_code == 422 and "Pilih cara pembayaran: UP/GU, LS, atau KKPD." in bad.get_data(as_text=True)
    assert client.post(f"/pesanan/{order.id}/setujui", data={"payment_method": "up_gu"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_method is PaymentMethod.UP_GU
    assert "UP/GU (dari uang persediaan bendahara)" in text_of(client.get(f"/pesanan/{order.id}/dokumen/sp"))


def test_checkout_form_stores_the_buyers_payment_method(p, client, auth):
    product = oh.listed(p, stock=20, price=50_000)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "2"})
    assert "Cara pembayaran" in client.get("/keranjang/pesan").get_data(as_text=True)
    form = {"package_id": str(oh.package(p).id), "delivery_address": "Jl. Firdaus No. 1",
            "needed_by": (oh.today() + timedelta(days=10)).isoformat(), "ppk_id": str(p.ppk.id)}
    refused = client.post("/keranjang/pesan", data={**form, "payment_method": "tunai"})
    assert refused.status_code == 422 and "Pilih cara pembayaran" in refused.get_data(as_text=True)
    done = client.post("/keranjang/pesan", data={**form, "payment_method": "kkpd"})
    assert done.status_code == 303
    order_id = int(re.search(r"/pesanan/(\d+)", done.headers["Location"]).group(1))
    db.session.expire_all()
    assert db.session.get(Order, order_id).payment_method is PaymentMethod.KKPD


def test_bast_carries_the_signers_nip(p, client, auth):
    order = received(p)
    auth.login(p.ppk)
    text = text_of(client.get(f"/pesanan/{order.id}/dokumen/bast"))
    assert "Budi Santoso" in text and f"NIP {NIP_PPK}" in text


def test_tagihan_wording_number_and_old_url(p, client, auth):
    order = received(p)
    invoice = documents.issued(order, OrderDocumentKind.INVOICE)
    assert invoice.number == f"TAG/{p.opd_code}/{oh.today().year}/0001"
    auth.login(p.supplier)
    old = client.get(f"/pesanan/{order.id}/dokumen/faktur")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/pesanan/{order.id}/dokumen/tagihan")
    page = client.get(f"/pesanan/{order.id}/dokumen/tagihan")
    assert page.status_code == 200
    text = text_of(page)
    assert "Tagihan" in text and "faktur" not in text.lower()
    assert f"/pesanan/{order.id}/dokumen/tagihan" in client.get(f"/pesanan/{order.id}").get_data(as_text=True)


def test_issued_documents_keep_their_number_and_fingerprint(p):
    """An SP issued with the old prefix and content keeps both: issue stores them, and
    nothing later rewrites them (new data only shows the "changed since" notice)."""
    order = approved(p)
    sp = documents.issued(order, OrderDocumentKind.SURAT_PESANAN)
    number, stamp = sp.number, sp.fingerprint
    accounts.set_nip(p.ppk, p.ppk, "198503122010011005")
    p.ppk.org.address = "Jl. Baru No. 2"
    db.session.commit()
    db.session.expire_all()
    sp = documents.issued(db.session.get(Order, order.id), OrderDocumentKind.SURAT_PESANAN)
    assert (sp.number, sp.fingerprint) == (number, stamp)
    assert documents.fingerprint(documents.content(sp.order, sp.kind)) != stamp


def test_payment_record_fields_stored_and_shown(p, client, auth):
    order = received(p, method=PaymentMethod.LS)
    net = orders.tax_breakdown(order).net
    auth.login(p.bendahara)
    page = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert 'name="sp2d_number"' in page and 'selected value="ls"' in page  # defaults from the order
    base = {"paid_on": oh.today().isoformat(), "reference": "TRF-77", "amount": str(net)}
    late = client.post(f"/pesanan/{order.id}/bayar", data={**base, "sp2d_date": (oh.today() + timedelta(days=1))
                                                          .isoformat(), "sp2d_number": "00012/SP2D-LS/2026"})
    assert late.status_code == 422
    assert "Tanggal SP2D harus di antara persetujuan pesanan dan hari ini." in late.get_data(as_text=True)
    paid = client.post(f"/pesanan/{order.id}/bayar", data={
        **base, "payment_method": "ls", "sp2d_number": "00012/SP2D-LS/2026", "sp2d_date": oh.today().isoformat(),
        "ppn_receipt": "", "pph_receipt": "BP-22/0045"})
    assert paid.status_code == 303
    db.session.expire_all()
    payment = db.session.get(Order, order.id).payment
    assert (payment.sp2d_number, payment.sp2d_date, payment.payment_method) == (
        "00012/SP2D-LS/2026", oh.today(), PaymentMethod.LS)
    assert (payment.ppn_receipt, payment.pph_receipt, payment.net) == (None, "BP-22/0045", net)
    for url in (f"/pesanan/{order.id}", f"/pesanan/{order.id}/dokumen/tagihan"):
        text = text_of(client.get(url))
        assert "00012/SP2D-LS/2026" in text and "BP-22/0045" in text and "Bukti potong PPh" in text


def test_payment_without_the_new_fields_still_works(p):
    order = received(p, method=PaymentMethod.UP_GU)
    net = orders.tax_breakdown(order).net
    payment = orders.record_payment(p.bendahara, order, oh.today(), "KW-01", net, now(), oh.today())
    assert payment.payment_method is PaymentMethod.UP_GU and payment.sp2d_number is None


def test_official_edits_own_nip_with_plain_refusal(p, client, auth):
    auth.login(p.ppk)
    assert "Simpan NIP" in client.get("/akun").get_data(as_text=True)
    bad = client.post("/akun/nip", data={"nip": "19851312 201001 1 004"})
    assert bad.status_code == 422
    assert "8 angka pertama NIP adalah tanggal lahir (TTTTBBHH); 19851312 bukan tanggal." in bad.get_data(
        as_text=True)
    assert client.post("/akun/nip", data={"nip": "19850312 201001 1 005"}).status_code == 303
    db.session.expire_all()
    assert p.ppk.nip == "198503122010011005"


def test_admin_edits_nip_and_opd_address(p, client, auth):
    auth.login(p.admin)
    short = client.post(f"/admin/pengguna/{p.bendahara.id}/nip", data={"nip": "1234"})
    assert short.status_code == 422 and "NIP terdiri atas tepat 18 angka" in short.get_data(as_text=True)
    assert client.post(f"/admin/pengguna/{p.bendahara.id}/nip",
                       data={"nip": "199203042018022001"}).status_code == 303
    opd = p.ppk.org
    page = client.get("/admin/opd").get_data(as_text=True)
    assert "Alamat kantor" in page and f"/admin/opd/{opd.id}/alamat" in page
    assert client.post(f"/admin/opd/{opd.id}/alamat",
                       data={f"org{opd.id}-address": "Jl. Firdaus No. 1 <b>Pasiran</b>"}).status_code == 303
    db.session.expire_all()
    assert p.bendahara.nip == "199203042018022001"
    assert p.ppk.org.address == "Jl. Firdaus No. 1 <b>Pasiran</b>"
    page = client.get("/admin/opd").get_data(as_text=True)
    assert "&lt;b&gt;Pasiran&lt;/b&gt;" in page and "<b>Pasiran</b>" not in page  # escaped once


def test_admin_enters_an_officials_nip_when_creating_the_account(p, client, auth):
    from pbj.models.accounts import User
    import sqlalchemy as sa

    auth.login(p.admin)
    base = {"name": "Rina Wulandari", "email": "rina.w@disdik.go.id", "role": "ppk", "org_id": str(p.ppk.org_id)}
    bad = client.post("/admin/pengguna", data={**base, "nip": "19851312 201001 1 004"})
    assert bad.status_code == 422 and "Rina Wulandari" in bad.get_data(as_text=True)  # the typing is kept
    assert db.session.scalar(sa.select(User).where(User.email == base["email"])) is None  # nothing half-made
    assert client.post("/admin/pengguna", data={**base, "nip": "19900101 201501 2 003"}).status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == base["email"]))
    assert user.nip == "199001012015012003"
