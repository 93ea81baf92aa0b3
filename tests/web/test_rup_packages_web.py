"""The RUP register's pages, and the reasons a buyer and a PPK read in Indonesian: a
package's orders add up, the pagu, the lawful ground the PPK must accept."""
from __future__ import annotations

import io
import re
from html import unescape

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import Product
from pbj.models.orders import CartItem, Order, OrderStatus
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import orders
from tests import order_helpers as oh


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def checkout_form(p, package, **changes):
    form = {"package_id": str(package.id), "delivery_address": "Jl. Firdaus No. 1",
            "needed_by": oh.today().replace(year=oh.today().year + 1).isoformat(), "ppk_id": str(p.ppk.id)}
    form.update(changes)
    return form


def order_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


def test_a_pp_is_told_the_package_total_and_the_limit(p, client, auth):
    package = oh.package(p)
    oh.place(p, oh.listed(p, "Meja rapat", price=19_099_000, stock=None), 10)  # Rp 190.990.000
    chairs = oh.listed(p, "Kursi rapat", price=9_549_500, stock=None)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": chairs.id, "quantity": "5"})
    answer = client.post("/keranjang/pesan", data=checkout_form(p, package))
    assert answer.status_code == 422
    page = text(answer)
    assert (f"Pesanan dalam satu paket dijumlahkan: paket {package.rup_code} sudah berisi pesanan Rp 190.990.000, "
            "dan dengan pesanan ini menjadi Rp 238.737.500, melebihi batas PP sebesar Rp 200.000.000.") in page
    assert 'id="package_id-error"' in answer.get_data(as_text=True)
    assert order_count() == 1 and db.session.scalar(sa.select(CartItem.quantity)) == 5


def test_a_ppk_is_told_the_pagu_and_what_remains(p, client, auth):
    package = oh.package(p, "41500001", pagu=250_000_000)
    laptop = oh.listed(p, "Laptop", price=20_000_000, stock=None)
    oh.place(p, laptop, 11, buyer=p.ppk, package_id=package.id)  # Rp 220 juta by the PPK
    auth.login(p.ppk)
    client.post("/keranjang", data={"product_id": laptop.id, "quantity": "2"})
    answer = client.post("/keranjang/pesan", data=checkout_form(p, package))
    assert answer.status_code == 422
    assert ("Pesanan ini membuat paket 41500001 melebihi pagunya sebesar Rp 250.000.000: pesanan aktif paket ini "
            "sudah Rp 220.000.000 dan sisa pagu Rp 30.000.000.") in text(answer)
    assert order_count() == 1


def test_checkout_offers_only_this_years_e_purchasing_packages(p, client, auth):
    usable = oh.package(p, "41500010", name="Belanja ATK")
    oh.package(p, "41500011", name="Rehabilitasi gedung", method=ProcurementMethod.TENDER)
    oh.package(p, "41500012", name="Belanja ATK tahun depan", year=oh.today().year + 1)
    product = oh.listed(p)
    auth.login(p.pp)
    client.post("/keranjang", data={"product_id": product.id, "quantity": "1"})
    page = text(client.get("/keranjang/pesan"))
    assert "41500010 — Belanja ATK (sisa pagu: Rp 2.000.000.000)" in page
    assert "41500011" not in page and "41500012" not in page
    refused = client.post("/keranjang/pesan", data=checkout_form(p, usable, package_id="41500011"))
    assert refused.status_code == 422
    assert "Pilih paket (Kode RUP) dari daftar RUP OPD Anda." in text(refused)
    done = client.post("/keranjang/pesan", data=checkout_form(p, usable))
    assert done.status_code == 303
    assert db.session.scalar(sa.select(Order.rup_code)) == "41500010"


def test_the_ppk_must_tick_the_ground_on_the_order_page(p, client, auth):
    cat = oh.h.category("Kertas")
    better = oh.listed(p, "Kertas TKDN 45", cat=cat)
    imported = oh.listed(p, "Kertas impor", cat=cat)
    for product, rank in ((better, 1), (imported, 6)):
        db.session.execute(sa.update(Product).where(Product.id == product.id).values(preference=rank))
    db.session.commit()
    sid = p.supplier.org_id
    why = "Stok kertas ber-TKDN hanya 1 rim, kebutuhan kegiatan 20 rim."
    order = oh.place(p, imported, 2, grounds={sid: "not_available"}, explanations={sid: why})
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    auth.login(p.ppk)
    page = text(client.get(f"/pesanan/{order.id}"))
    assert "dengan alasan: tidak tersedia." in page and why in page
    assert "Kertas TKDN 45" in page  # the higher-tier product the PPK weighs against
    assert 'name="accept_ground"' in page
    answer = client.post(f"/pesanan/{order.id}/setujui")
    assert answer.status_code == 422
    assert "centang bahwa Anda menerimanya sebelum menyetujui" in text(answer)
    assert db.session.get(Order, order.id).status is OrderStatus.CONFIRMED
    assert client.post(f"/pesanan/{order.id}/setujui", data={"accept_ground": "y"}).status_code == 303
    db.session.expire_all()
    approved = db.session.get(Order, order.id)
    assert approved.status is OrderStatus.APPROVED and approved.ground_accepted_by_id == p.ppk.id


def test_auditors_see_the_orders_below_a_higher_tier(p, client, auth, create_user):
    cat = oh.h.category("Kertas")
    better = oh.listed(p, "Kertas TKDN 45", cat=cat)
    imported = oh.listed(p, "Kertas impor", cat=cat)
    for product, rank in ((better, 1), (imported, 6)):
        db.session.execute(sa.update(Product).where(Product.id == product.id).values(preference=rank))
    db.session.commit()
    sid = p.supplier.org_id
    why = "Penyedia ber-TKDN hanya sanggup mengirim separuh kebutuhan kegiatan."
    down = oh.place(p, imported, 2, grounds={sid: "volume_not_enough"}, explanations={sid: why})
    plain = oh.place(p, better, 1)
    auth.login(create_user(Role.AUDITOR))
    page = text(client.get("/audit/turun-tingkat"))
    assert f"/pesanan/{down.id}" in page and f"/pesanan/{plain.id}" not in page
    assert "volume/jumlah tidak mencukupi kebutuhan" in page and why in page
    assert f"/pesanan/{down.id}" not in text(client.get("/audit/turun-tingkat?alasan=not_available"))
    assert f"/pesanan/{down.id}" in text(client.get(f"/audit/turun-tingkat?opd={p.pp.org_id}&alasan=volume_not_enough"))
    for junk in ("abc", "-1", "9" * 40, "<i>"):
        assert client.get(f"/audit/turun-tingkat?opd={junk}&alasan={junk}").status_code == 200


def test_the_register_search_and_the_package_page(p, client, auth):
    package = oh.package(p, "41500020", name="Belanja makanan rapat", pagu=300_000_000)
    oh.package(p, "41500021", name="Belanja kertas")
    snack = oh.listed(p, "Kue kotak", price=25_000, stock=None)
    live = oh.place(p, snack, 100, package_id=package.id)  # Rp 2.500.000
    ended = oh.place(p, snack, 40, package_id=package.id)
    orders.cancel(p.pp, ended, "Rapat ditunda", utcnow())
    db.session.commit()
    auth.login(p.bendahara)  # reads the register
    listing = text(client.get("/paket/?q=makanan"))
    assert "41500020" in listing and "41500021" not in listing
    page = client.get(f"/paket/{package.id}")
    body = text(page)
    assert page.status_code == 200
    assert re.search(r'id="live-total">Rp\s*2\.500\.000<', body)
    assert re.search(r'id="pagu-left">Rp\s*297\.500\.000<', body)
    assert re.search(r'id="pp-left">Rp\s*197\.500\.000', body)
    assert f"/pesanan/{live.id}" in body and f"/pesanan/{ended.id}" in body
    assert client.get(f"/paket/{package.id}/ubah").status_code == 404  # the bendahara only reads


def test_a_pp_adds_and_changes_a_package(p, client, auth):
    auth.login(p.pp)
    form = {"rup_code": "41500030", "name": "Belanja ATK", "pagu": "Rp 150.000.000", "method": "e_purchasing",
            "funding_source": "apbd", "budget_year": str(oh.today().year)}
    bad = client.post("/paket/baru", data={**form, "pagu": "seratus juta", "funding_source": "bos"})
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RupPackage)) == 0
    assert client.post("/paket/baru", data=form).status_code == 303
    package = db.session.scalar(sa.select(RupPackage))
    assert (package.opd_id, package.pagu) == (p.pp.org_id, 150_000_000)
    wrong_source = client.post("/paket/baru", data={**form, "rup_code": "41500031", "funding_source": "bos"})
    assert wrong_source.status_code == 422
    assert "BOS bukan sumber dana" in text(wrong_source)
    oh.place(p, oh.listed(p, "Laptop", price=20_000_000, stock=None), 5, package_id=package.id)
    lower = client.post(f"/paket/{package.id}/ubah", data={**form, "pagu": "50.000.000"})
    assert lower.status_code == 422
    assert "Pagu tidak boleh di bawah nilai pesanan aktif paket ini (Rp 100.000.000)." in text(lower)
    assert client.post(f"/paket/{package.id}/ubah", data={**form, "pagu": "120.000.000",
                                                          "rup_code": "99999"}).status_code == 303
    db.session.expire_all()
    assert (package.pagu, package.rup_code) == (120_000_000, "41500030")  # the code stays


def upload(client, content: bytes, **form):
    return client.post("/paket/impor", data={"file": (io.BytesIO(content), "rup.csv"), **form},
                       content_type="multipart/form-data")


def test_csv_import_all_or_nothing_with_the_rows_listed(p, client, auth):
    year = oh.today().year
    auth.login(p.ppk)
    bad = ("\ufeffKode RUP;Nama Paket;Pagu;Metode Pemilihan;Sumber Dana;Tahun Anggaran\n"
           f"41500040;Belanja ATK;1.250.000.000;E-Purchasing;APBD;{year}\n"
           f"41500041;Belanja <b>kertas</b>;sejuta;E-Purchasing;APBD;{year}\n").encode()
    answer = upload(client, bad)
    assert answer.status_code == 422
    page = text(answer)
    assert "Tidak ada yang diimpor: 1 baris bermasalah." in page
    assert "Baris 3:" in page and "Pagu “sejuta” bukan jumlah rupiah" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RupPackage)) == 0
    good = bad.replace(b"sejuta", b"Rp 5.000.000")
    done = upload(client, good)
    assert done.status_code == 303
    assert "2 paket ditambahkan" in text(client.get(done.headers["Location"]))
    assert sorted(db.session.scalars(sa.select(RupPackage.pagu))) == [5_000_000, 1_250_000_000]
    assert "<b>kertas</b>" not in client.get("/paket/").get_data(as_text=True)  # escaped once


def test_an_admin_chooses_the_opd(p, client, auth):
    year = oh.today().year
    auth.login(p.admin)
    csv = f"Kode RUP,Nama Paket,Pagu,Metode Pemilihan,Sumber Dana,Tahun Anggaran\n41500050,ATK,1000000,E-Purchasing,APBD,{year}\n"
    assert upload(client, csv.encode()).status_code == 422  # no OPD chosen
    assert upload(client, csv.encode(), opd_id=str(p.pp.org_id)).status_code == 303
    assert db.session.scalar(sa.select(RupPackage.opd_id)) == p.pp.org_id
    assert "41500050" in text(client.get(f"/paket/?opd={p.pp.org_id}"))


@pytest.mark.parametrize("content", [
    b"\x00\x01\x02\xff\xfe binary", b"Kode RUP;Nama Paket\x00;Pagu\n", b"a" * 200_000, "é".encode("latin-1") * 10,
    b'"unterminated;quote\n1;2;3', b"Kode RUP;Nama Paket;Pagu;Metode Pemilihan;Sumber Dana;Tahun Anggaran\n" * 2,
    b"\xef\xbb\xbf", b"Kode RUP;Nama Paket;Pagu;Metode Pemilihan;Sumber Dana;Tahun Anggaran\n;;;;;\n1;;;;;9999\n",
])
def test_junk_files_are_refused_not_crashed_on(p, client, auth, content):
    auth.login(p.pp)
    answer = upload(client, content)
    assert answer.status_code == 422
    assert 'class="error-summary"' in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RupPackage)) == 0
