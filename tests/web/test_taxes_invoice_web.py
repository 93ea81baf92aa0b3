"""The invoice and the order page say, in Indonesian, what is withheld and what the supplier
pays itself (order #194's story: Nasi Kotak Rp 1.204.700, PBJT)."""
import re

import pytest

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.services import orders
from tests import order_helpers as oh
from tests.conftest import PASSWORD


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def test_nasi_kotak_invoice_has_no_ppn_and_no_pph22(app, p):
    p.supplier.org.supplier.is_pkp, p.supplier.org.supplier.has_pp55_certificate = True, False
    db.session.commit()
    product = oh.listed(p, "Nasi Kotak Ayam Bakar", price=34_420, stock=None, tax_class="pbjt")
    order = oh.place(p, product, 35)   # 35 × 34.420 = 1.204.700
    client = login(app, p.pp)
    estimate = text_of(client.get(f"/pesanan/{order.id}"))
    assert "Perkiraan dengan tarif hari ini" in estimate
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 35}, "SJ", oh.today(), "", utcnow(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 35}, "", oh.today(), None, utcnow(), oh.today())
    db.session.commit()
    text = text_of(login(app, p.supplier).get(f"/pesanan/{order.id}/dokumen/tagihan"))
    # PBJT: no PPN, no PPh 22; catering is a service: PPh 23 2 % × 1.204.700 = 24.094; net 1.180.606
    assert "tidak ada (objek pajak daerah, PBJT)" in text
    assert "PPh 23 2% (jasa)" in text and "Rp 24.094" in text and "Rp 1.180.606" in text
    assert "PPh 22" not in text and "Rp 119.385" not in text
    assert "Pajak daerah atas makanan dan minuman (PBJT)" in text
    assert "sudah termasuk dalam harga Rp 1.204.700; disetor penyedia ke pemerintah kota" in text
    assert "Tarif ditetapkan saat Surat Pesanan diterbitkan." in text
    page = text_of(login(app, p.pp).get(f"/pesanan/{order.id}"))
    assert "Perkiraan dengan tarif hari ini" not in page and "Rp 1.180.606" in page


def test_product_form_refuses_an_unknown_tax_class_in_plain_indonesian(app, p):
    from tests import catalogue_helpers as h
    cat = h.category()
    db.session.commit()
    client = login(app, p.supplier)
    response = client.post("/usaha/produk/baru", data={
        "category_id": str(cat.id), "name": "Jasa Laundry Seragam", "unit": "kg", "unit_price": "15.000",
        "min_order": "1", "lead_time_days": "1", "tax_class": "tax-free", "is_pdn": "y"})
    assert response.status_code == 422
    assert "Pilih golongan pajak produk: barang, jasa, makanan/minuman restoran atau katering, bahan pokok, atau beras." in text_of(response)


def test_supplier_enters_its_pp55_certificate_and_admin_sees_it(app, p, create_user):
    client = login(app, p.supplier)
    missing = client.post("/usaha/pajak", data={"has_pp55_certificate": "y", "pp55_number": "",
                                                "pp55_valid_from": "01/01/2025", "pp55_valid_until": "31/12/2031"})
    assert missing.status_code == 422 and "Isi nomor Surat Keterangan PP 55/2022." in text_of(missing)
    backwards = client.post("/usaha/pajak", data={"has_pp55_certificate": "y", "pp55_number": "KET-1/PP55",
                                                  "pp55_valid_from": "01/01/2025", "pp55_valid_until": "31/12/2024"})
    assert backwards.status_code == 422
    assert "Surat keterangan tidak dapat berakhir sebelum mulai berlaku." in text_of(backwards)
    saved = client.post("/usaha/pajak", data={"has_pp55_certificate": "y", "pp55_number": "KET-1/PP55<b>",
                                              "pp55_valid_from": "01/01/2025", "pp55_valid_until": "31/12/2025"})
    assert saved.status_code == 303
    profile = db.session.get(type(p.supplier.org.supplier), p.supplier.org_id)
    assert profile.pp55_number == "KET-1/PP55<b>" and not profile.pp55_valid_on(oh.today())
    page = client.get("/usaha").get_data(as_text=True)
    assert "KET-1/PP55&lt;b&gt;" in page and "sudah tidak berlaku" in page
