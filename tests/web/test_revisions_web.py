"""Changes to a published product, as the supplier and the UKPBJ see them (in Indonesian)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product, ProductRevision, RevisionStatus
from tests.catalogue_helpers import category, product as make_product, verified
from tests.conftest import PASSWORD


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.fixture
def shop(app, create_supplier, create_user):
    admin = create_user(Role.ADMIN)
    supplier = verified(create_supplier("UMKM Rotan Nyarumkop", with_document=True), admin)
    cat = category("Kursi", parent="Mebel")
    chair = make_product(supplier, admin, "Kursi Rapat Rotan", price=500_000, cat=cat, tkdn=30)
    db.session.rollback()
    return admin, supplier, cat, chair


def form(product: Product, **changes) -> dict:
    """The edit form as the supplier sends it: today's values, with `changes`."""
    data = {"category_id": str(product.category_id), "name": product.name, "description": product.description,
            "unit": product.unit, "unit_price": str(product.unit_price), "min_order": str(product.min_order),
            "stock": "" if product.stock is None else str(product.stock),
            "lead_time_days": str(product.lead_time_days), "delivery_area": product.delivery_area,
            "tkdn": str(product.tkdn_x100 // 100), "bmp": str(product.bmp_x100 // 100),
            "tkdn_certificate": product.tkdn_certificate or "",
            "tkdn_certificate_date": product.tkdn_certificate_date.isoformat()
            if product.tkdn_certificate_date else "", "siinas_number": "", "origin": product.origin}
    if product.is_pdn:
        data["is_pdn"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def renamed(app, shop) -> ProductRevision:
    _admin, supplier, _cat, chair = shop
    response = login(app, supplier).post(f"/usaha/produk/{chair.id}", data=form(
        chair, name="Kursi Rapat Rotan Premium", tkdn="60", tkdn_certificate="", tkdn_certificate_date=""))
    assert response.status_code == 303
    return db.session.scalar(sa.select(ProductRevision))


def test_supplier_sees_the_change_waiting_and_the_catalogue_keeps_the_reviewed_version(app, shop, client):
    revision = renamed(app, shop)
    _admin, supplier, _cat, chair = shop
    page = login(app, supplier).get(f"/usaha/produk/{chair.id}").get_data(as_text=True)
    assert "Perubahan menunggu tinjauan UKPBJ" in page
    assert "Kursi Rapat Rotan Premium" in page and "60%" in page  # what the change says
    assert 'value="Kursi Rapat Rotan Premium"' in page  # the form shows what was asked for
    listing = login(app, supplier).get("/usaha/produk").get_data(as_text=True)
    assert "Perubahan menunggu tinjauan</span>" in listing
    public = client.get(f"/produk/{chair.id}").get_data(as_text=True)
    assert "<h1>Kursi Rapat Rotan</h1>" in public and "Premium" not in public
    assert "TKDN ≥ 25%" in public  # its reviewed rank
    assert revision.status is RevisionStatus.PENDING


def test_admin_sees_the_diff_and_approves(app, shop, client):
    revision = renamed(app, shop)
    admin, supplier, _cat, chair = shop
    reviewer = login(app, admin)
    queue = reviewer.get("/admin/produk").get_data(as_text=True)
    assert "Perubahan produk tayang" in queue and f"/admin/perubahan/{revision.id}" in queue
    page = reviewer.get(f"/admin/perubahan/{revision.id}").get_data(as_text=True)
    rows = re.findall(r'<tr( class="changed")?><th scope="row">([^<]+)</th><td>([^<]*)</td><td>(?:<strong>)?([^<]*)'
                      r'(?:</strong>)?</td><td>(?:<strong>)?([^<]+)', page)
    by_label = {label: (old, new, marked) for changed, label, old, new, marked in rows}
    assert by_label["Nama produk"] == ("Kursi Rapat Rotan", "Kursi Rapat Rotan Premium", "Berubah")
    assert by_label["TKDN (%)"] == ("30%", "60%", "Berubah")
    assert by_label["Nomor sertifikat TKDN"][1:] == ("–", "Berubah")
    assert by_label["Satuan"] == ("buah", "buah", "Sama")  # unchanged rows say so in words, not by colour
    assert "masa tayang minimum" in page  # the name changes: the listing clock restarts

    response = reviewer.post(f"/admin/perubahan/{revision.id}/setujui")
    assert response.status_code == 303
    assert "sudah tayang" in reviewer.get(response.headers["Location"]).get_data(as_text=True)
    product = fresh(Product, chair.id)
    assert product.name == "Kursi Rapat Rotan Premium"
    public = client.get(f"/produk/{chair.id}").get_data(as_text=True)
    assert "PDN tanpa sertifikat TKDN" in public and "60%" not in public  # 60 % uncertified: no figure
    # A second click says it was already done, and changes nothing.
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    again = reviewer.post(f"/admin/perubahan/{revision.id}/setujui")
    assert again.status_code == 409
    assert "sudah diputuskan" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == entries
    # The supplier is told.
    notes = login(app, supplier).get("/notifikasi").get_data(as_text=True)
    assert "Perubahan produk disetujui" in notes


def test_admin_rejects_with_a_reason_the_supplier_reads(app, shop):
    revision = renamed(app, shop)
    admin, supplier, _cat, chair = shop
    reviewer = login(app, admin)
    empty = reviewer.post(f"/admin/perubahan/{revision.id}/tolak", data={"reason": ""})
    assert empty.status_code == 422
    assert fresh(ProductRevision, revision.id).status is RevisionStatus.PENDING
    response = reviewer.post(f"/admin/perubahan/{revision.id}/tolak",
                             data={"reason": "Nilai TKDN 60% tanpa nomor sertifikat <b>tidak</b> dapat diterima."})
    assert response.status_code == 303
    page = login(app, supplier).get(f"/usaha/produk/{chair.id}").get_data(as_text=True)
    assert "UKPBJ tidak menyetujui perubahan terakhir Anda." in page
    assert "tanpa nomor sertifikat &lt;b&gt;tidak&lt;/b&gt; dapat diterima" in page  # escaped once
    assert fresh(Product, chair.id).name == "Kursi Rapat Rotan"


def test_certificate_number_without_date_is_explained_on_the_form(app, shop):
    _admin, supplier, _cat, chair = shop
    response = login(app, supplier).post(f"/usaha/produk/{chair.id}", data=form(
        chair, tkdn_certificate="TKDN-99", tkdn_certificate_date=""))
    assert response.status_code == 422
    assert "Isi tanggal terbit sertifikat TKDN: tanpa tanggal, nilai TKDN tidak dihitung." in \
        response.get_data(as_text=True)
    bad = login(app, supplier).post(f"/usaha/produk/{chair.id}", data=form(chair, tkdn_certificate_date="31/02/2026"))
    assert bad.status_code == 422  # 31 February: the field says how to write a date
    assert "Isi tanggal dengan format HH/BB/TTTT, misalnya 31/12/2026." in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductRevision)) == 0


def test_queue_filters_are_a_shareable_url(app, shop, create_supplier):
    revision = renamed(app, shop)
    admin, _supplier, cat, _chair = shop
    other = verified(create_supplier("CV Kertas Jaya", with_document=True), admin)
    waiting = make_product(other, admin, "Kertas HVS Menunggu", cat=category("Kertas", parent="Kantor"), publish=False)
    from pbj.services import catalogue

    catalogue.submit_product(other, waiting)
    db.session.commit()
    reviewer = login(app, admin)
    everything = reviewer.get("/admin/produk").get_data(as_text=True)
    assert "Produk baru: 1. Perubahan produk tayang: 1." in everything
    changes = reviewer.get("/admin/produk?jenis=perubahan").get_data(as_text=True)
    assert f"/admin/perubahan/{revision.id}" in changes and "Kertas HVS Menunggu" not in changes
    assert "Kertas HVS Menunggu" in reviewer.get("/admin/produk?q=jaya").get_data(as_text=True)
    assert "Kertas HVS Menunggu" not in reviewer.get(f"/admin/produk?kategori={cat.id}").get_data(as_text=True)
    by_supplier = reviewer.get(f"/admin/produk?penyedia={other.org_id}").get_data(as_text=True)
    assert "Kertas HVS Menunggu" in by_supplier and "Kursi Rapat Rotan" not in by_supplier
    for junk in ("?jenis=lain", "?penyedia=abc", "?kategori=-1", "?hal=zz", "?q=%25%27%22<x>", "?penyedia=99999999999"):
        assert reviewer.get(f"/admin/produk{junk}").status_code == 200, junk
    assert "Tidak ada yang menunggu tinjauan sesuai filter ini." in \
        reviewer.get("/admin/produk?q=tidak-ada-sama-sekali").get_data(as_text=True)
