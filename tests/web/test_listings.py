"""Supplier listings and UKPBJ review through the web: the flows a real user takes,
without JavaScript (plain forms, Post/Redirect/Get)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Category, PriceChange, Product, ProductImage, ProductStatus
from tests.catalogue_helpers import category, product as make_product, tiny_jpeg, verified
from tests.conftest import PASSWORD
from tests.query_count import queries


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads" / "products"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


def form_data(category_id: int, **overrides) -> dict:
    data = {
        "category_id": str(category_id), "name": "Kopi Bubuk Robusta 250 g",
        "description": "Kopi asli Singkawang.",
        "unit": "bungkus", "unit_price": "Rp 25.000", "min_order": "1", "stock": "40", "lead_time_days": "2",
        "delivery_area": "Kota Singkawang", "tkdn": "43,25", "bmp": "5", "tkdn_certificate": "TKDN-123", "tkdn_certificate_date": "05/01/2026",
        "is_pdn": "y", "origin": "Singkawang Barat", "certifications": ["HALAL", "PIRT"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png_bytes(size=(80, 60), colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def people(app, create_supplier, create_user):
    admin = create_user(Role.ADMIN)
    supplier = verified(create_supplier("UMKM Kopi Pak Ahmad", with_document=True), admin)
    other = create_supplier("UMKM Tetangga", with_document=True)
    cat = category("Kopi dan Teh", parent="Makanan dan Minuman")
    db.session.rollback()
    return admin, supplier, other, cat


# -- The whole flow -----------------------------------------------------------------

def test_supplier_lists_a_product_and_admin_publishes_it(app, people):
    admin, supplier_user, _other, cat = people
    supplier = login(app, supplier_user)

    page = supplier.get("/usaha/produk/baru")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<optgroup label="Makanan dan Minuman">' in html
    assert f'<option value="{cat.id}">Kopi dan Teh</option>' in html

    response = supplier.post("/usaha/produk/baru", data=form_data(cat.id))
    assert response.status_code == 303
    product = db.session.scalar(sa.select(Product))
    assert response.headers["Location"] == f"/usaha/produk/{product.id}"
    assert (product.status, product.unit_price, product.tkdn_x100, product.bmp_x100) == \
        (ProductStatus.DRAFT, 25_000, 4325, 500)
    assert product.certification_list == ["HALAL", "PIRT"]
    assert product.supplier_id == supplier_user.org_id

    # Sending it for review without a photo is refused on the page.
    response = supplier.post(f"/usaha/produk/{product.id}/kirim")
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)
    assert fresh(Product, product.id).status is ProductStatus.DRAFT

    photos = [(io.BytesIO(tiny_jpeg()), "foto.jpg"), (io.BytesIO(png_bytes()), "b.png")]
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                             data={"image": photos})
    assert response.status_code == 303
    assert len(fresh(Product, product.id).images) == 2
    assert len(stored_files(app)) == 4  # a large view and a thumbnail each

    assert supplier.post(f"/usaha/produk/{product.id}/kirim").status_code == 303
    assert fresh(Product, product.id).status is ProductStatus.SUBMITTED

    reviewer = login(app, admin)
    queue = reviewer.get("/admin/produk").get_data(as_text=True)
    assert "Kopi Bubuk Robusta 250 g" in queue
    assert 'loading="lazy"' in queue
    detail = reviewer.get(f"/admin/produk/{product.id}")
    assert detail.status_code == 200
    assert "UMKM Kopi Pak Ahmad" in detail.get_data(as_text=True)
    assert reviewer.post(f"/admin/produk/{product.id}/setujui").status_code == 303
    published = fresh(Product, product.id)
    assert published.status is ProductStatus.PUBLISHED
    assert published.published_at is not None
    assert f'href="/admin/produk/{product.id}"' not in reviewer.get("/admin/produk").get_data(as_text=True)

    # The supplier sees it as published in the list and on the product page.
    listing = supplier.get("/usaha/produk?status=tayang").get_data(as_text=True)
    assert "Kopi Bubuk Robusta 250 g" in listing
    assert "Tayang" in listing  # Indonesian by default
    page = supplier.get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    assert "10 persen" in page or "10 %" in page or "10%" in page  # the price-rise hint


def test_edit_with_price_rise_above_the_step_waits_as_a_revision(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, "Kopi Robusta", price=100_000, cat=cat)
    supplier = login(app, supplier_user)
    same = dict(name="Kopi Robusta", unit="buah", description="", delivery_area="", tkdn="0", bmp="0",
                tkdn_certificate="", tkdn_certificate_date="", origin="Singkawang", certifications=None,
                stock="10")

    # Exactly 10 % above the reviewed price: applies at once, stays published.
    response = supplier.post(f"/usaha/produk/{product.id}", data=form_data(cat.id, unit_price="110.000", **same))
    assert response.status_code == 303
    changed = fresh(Product, product.id)
    assert (changed.status, changed.unit_price) == (ProductStatus.PUBLISHED, 110_000)

    # 121.001 is 21 % above the reviewed 100.000 (not 10 % above today's 110.000): it waits
    # for review as a revision; the public product keeps selling at 110.000.
    response = supplier.post(f"/usaha/produk/{product.id}", data=form_data(cat.id, unit_price="Rp 121.001", **same))
    assert response.status_code == 303
    changed = fresh(Product, product.id)
    assert (changed.status, changed.unit_price) == (ProductStatus.PUBLISHED, 110_000)
    prices = [(c.old_price, c.new_price) for c in db.session.scalars(
        sa.select(PriceChange).where(PriceChange.product_id == product.id).order_by(PriceChange.id))]
    assert prices == [(None, 100_000), (100_000, 110_000)]
    page = supplier.get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    assert "Perubahan menunggu tinjauan UKPBJ" in page and "Rp 121.001" in page

    queue = login(app, admin).get("/admin/produk").get_data(as_text=True)
    assert "Rp 110.000" in queue and "Rp 121.001" in queue  # public → proposed price


# -- Invalid input ------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("unit_price", "12.500,50", "tanpa sen"),
    ("unit_price", "-5000", "negatif"),
    ("unit_price", "dua ribu", "angka"),
    ("unit_price", "0", "lebih dari nol"),
    ("unit_price", "99999999999999999999999", None),
    ("unit_price", "", None),
    ("tkdn", "101", "0 sampai 100"),
    ("tkdn", "43,255", "dua desimal"),
    ("tkdn", "-1", "negatif"),
    ("bmp", "15,01", "0 sampai 15"),
    ("stock", "-3", "negatif"),
    ("stock", "99999999999999", None),
    ("min_order", "0", None),
    ("lead_time_days", "1,5", None),
    ("category_id", "999999", None),
    ("category_id", "abc", None),
    ("category_id", "", None),
    ("certifications", ["SNI", "PALSU"], None),
    ("name", "", None),
    ("name", "x" * 201, None),
])
def test_invalid_product_input_rerenders_with_errors_and_typed_values(app, people, field, value, message):
    _admin, supplier_user, _other, cat = people
    supplier = login(app, supplier_user)
    entries = count(AuditEntry)
    data = form_data(cat.id, unit_price="Rp 1.250.000", tkdn="43,25")
    data[field] = value
    response = supplier.post("/usaha/produk/baru", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (field, value)
    assert 'class="error-summary"' in html
    assert f'href="#{field}"' in html, "the summary links to the field"
    assert "Traceback" not in html
    if message:
        assert message in html, (field, value)
    # What the user typed comes back.
    if field != "unit_price":
        assert 'value="Rp 1.250.000"' in html
    if field != "tkdn":
        assert 'value="43,25"' in html
    if isinstance(value, str) and value and field not in ("category_id",):
        assert f'value="{value}"' in html or f">{value}<" in html
    assert count(Product) == 0
    assert count(AuditEntry) == entries


@pytest.mark.parametrize("typed, expected", [
    ("Rp 1.250.000", 1_250_000), ("1.250.000", 1_250_000), ("1250000", 1_250_000),
    ("Rp1.250.000,-", 1_250_000), ("1.250.000,00", 1_250_000), ("rp 7500", 7_500),
])
def test_price_accepts_the_ways_people_write_rupiah(app, people, typed, expected):
    _admin, supplier_user, _other, cat = people
    response = login(app, supplier_user).post("/usaha/produk/baru", data=form_data(cat.id, unit_price=typed))
    assert response.status_code == 303, typed
    assert db.session.scalar(sa.select(Product.unit_price)) == expected


def test_empty_stock_means_made_to_order_and_point_decimal_is_accepted(app, people):
    _admin, supplier_user, _other, cat = people
    response = login(app, supplier_user).post("/usaha/produk/baru", data=form_data(
        cat.id, stock="", tkdn="43.5", bmp="", is_pdn=None, certifications=None))
    assert response.status_code == 303
    product = db.session.scalar(sa.select(Product))
    assert (product.stock, product.tkdn_x100, product.bmp_x100, product.is_pdn, product.certifications) == \
        (None, 4350, 0, False, "")


def test_edit_form_is_prefilled(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, "Kopi Robusta", price=1_250_000, cat=cat, tkdn=43,
                           stock=None, publish=False)
    html = login(app, supplier_user).get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    assert 'value="1.250.000"' in html
    assert 'value="43"' in html
    assert f'<option selected value="{cat.id}">' in html
    assert 'name="stock" type="text" value=""' in html or re.search(r'id="stock"[^>]*value=""', html)


# -- Photos ---------------------------------------------------------------------------

FAKE_IMAGES = [
    (b"hanya teks, bukan gambar\n", "foto.jpg"),
    (b"\x89PNG\r\n\x1a\n" + b"sampah" * 40, "foto.png"),
    (b"\xff\xd8\xff\xe0" + b"\x00rusak" * 40, "foto.jpg"),
    (b"GIF89a" + b"\x00" * 40, "foto.gif"),
    (b"", "kosong.jpg"),
]


def test_fake_images_are_form_errors_and_store_nothing(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)
    supplier = login(app, supplier_user)
    before_files, before_images = stored_files(app), count(ProductImage)
    for content, name in FAKE_IMAGES:
        response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                                 data={"image": [(io.BytesIO(content), name)]})
        assert response.status_code == 422, name
        assert 'class="error-summary"' in response.get_data(as_text=True), name
    assert stored_files(app) == before_files
    assert count(ProductImage) == before_images


def test_a_bad_photo_among_good_ones_stores_none_of_them(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)
    before_files, before_images = stored_files(app), count(ProductImage)
    response = login(app, supplier_user).post(
        f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
        data={"image": [(io.BytesIO(tiny_jpeg()), "a.jpg"), (io.BytesIO(b"teks"), "b.jpg")]})
    assert response.status_code == 422
    assert stored_files(app) == before_files
    assert count(ProductImage) == before_images


def test_no_file_and_too_many_files_are_form_errors(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)  # has one photo
    supplier = login(app, supplier_user)
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data", data={})
    assert response.status_code == 422
    files = [(io.BytesIO(tiny_jpeg()), f"{n}.jpg") for n in range(5)]
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                             data={"image": files})
    assert response.status_code == 422
    assert "paling banyak 5 foto" in response.get_data(as_text=True)
    assert len(fresh(Product, product.id).images) == 1


def test_oversized_upload_is_413_or_a_form_error(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)
    supplier = login(app, supplier_user)
    before = stored_files(app)
    huge = b"\xff\xd8\xff\xe0" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                             data={"image": [(io.BytesIO(huge), "besar.jpg")]})
    assert response.status_code == 413
    big = b"\xff\xd8\xff\xe0" + b"0" * (app.config["IMAGE_MAX_BYTES"] + 10)
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                             data={"image": [(io.BytesIO(big), "besar.jpg")]})
    assert response.status_code == 422
    assert stored_files(app) == before


def test_remove_photo(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)
    image_id = product.images[0].id
    supplier = login(app, supplier_user)
    assert supplier.post(f"/usaha/produk/{product.id}/foto/{image_id + 1000}/hapus").status_code == 404
    assert supplier.post(f"/usaha/produk/{product.id}/foto/{image_id}/hapus").status_code == 303
    assert fresh(Product, product.id).images == []


def test_published_product_keeps_its_last_photo(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat)
    response = login(app, supplier_user).post(f"/usaha/produk/{product.id}/foto/{product.images[0].id}/hapus")
    assert response.status_code == 422
    assert len(fresh(Product, product.id).images) == 1


def test_product_images_are_served_with_a_long_cache(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat)
    html = login(app, supplier_user).get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    src = re.search(r'src="(/gambar/[0-9a-f]{32}-t\.jpg)"', html).group(1)
    response = app.test_client().get(src)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for bad in ("../../config.py", "x.jpg", "abc", "%00"):
        assert app.test_client().get(f"/gambar/{bad}").status_code == 404


# -- Archiving and state rules -------------------------------------------------------

def test_archive_and_archived_cannot_change(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat)
    supplier = login(app, supplier_user)
    assert supplier.post(f"/usaha/produk/{product.id}/arsipkan").status_code == 303
    assert fresh(Product, product.id).status is ProductStatus.ARCHIVED
    assert supplier.post(f"/usaha/produk/{product.id}/arsipkan").status_code == 409
    assert supplier.post(f"/usaha/produk/{product.id}", data=form_data(cat.id)).status_code == 409
    assert supplier.post(f"/usaha/produk/{product.id}/kirim").status_code == 409
    files = stored_files(app)
    response = supplier.post(f"/usaha/produk/{product.id}/foto", content_type="multipart/form-data",
                             data={"image": [(io.BytesIO(tiny_jpeg()), "a.jpg")]})
    assert response.status_code == 409
    assert supplier.post(f"/usaha/produk/{product.id}/foto/{product.images[0].id}/hapus").status_code == 409
    assert stored_files(app) == files
    assert len(fresh(Product, product.id).images) == 1
    page = supplier.get(f"/usaha/produk/{product.id}")
    assert page.status_code == 200
    assert 'action="/usaha/produk/%d"' % product.id not in page.get_data(as_text=True)


def test_a_wrong_state_re_renders_the_product_page_with_the_reason(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat)
    supplier = login(app, supplier_user)
    assert supplier.post(f"/usaha/produk/{product.id}/arsipkan").status_code == 303
    again = supplier.post(f"/usaha/produk/{product.id}/arsipkan")
    edited = supplier.post(f"/usaha/produk/{product.id}", data=form_data(cat.id, name="Nama Baru"))
    for response, reason in ((again, "Produk ini sudah diarsipkan."),
                             (edited, "Produk yang diarsipkan tidak dapat diubah.")):
        html = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Ada masalah" in html and reason in html  # the product page's error summary
        assert product.name in html
        assert "Tidak dapat dilakukan saat ini" not in html  # not the bare 409 error page
    assert fresh(Product, product.id).name != "Nama Baru"


def test_status_tabs_filter_the_list(app, people):
    admin, supplier_user, _other, cat = people
    make_product(supplier_user, admin, "Produk Tayang", cat=cat)
    make_product(supplier_user, admin, "Produk Draf", cat=cat, publish=False)
    supplier = login(app, supplier_user)
    everything = supplier.get("/usaha/produk").get_data(as_text=True)
    assert "Produk Tayang" in everything and "Produk Draf" in everything
    drafts = supplier.get("/usaha/produk?status=draf").get_data(as_text=True)
    assert "Produk Draf" in drafts and "Produk Tayang" not in drafts
    assert supplier.get("/usaha/produk?status=<script>&hal=abc").status_code == 200


# -- Authorization: another supplier's product ----------------------------------------

def test_supplier_cannot_touch_another_suppliers_product(app, people):
    admin, supplier_user, other_user, cat = people
    theirs = make_product(supplier_user, admin, "Produk Orang Lain", cat=cat)
    image_id = theirs.images[0].id
    intruder = login(app, other_user)
    entries, files = count(AuditEntry), stored_files(app)
    assert intruder.get(f"/usaha/produk/{theirs.id}").status_code == 404
    for url, data in [
        (f"/usaha/produk/{theirs.id}", form_data(cat.id, unit_price="1")),
        (f"/usaha/produk/{theirs.id}/kirim", {}),
        (f"/usaha/produk/{theirs.id}/arsipkan", {}),
        (f"/usaha/produk/{theirs.id}/foto/{image_id}/hapus", {}),
    ]:
        assert intruder.post(url, data=data).status_code == 404, url
    response = intruder.post(f"/usaha/produk/{theirs.id}/foto", content_type="multipart/form-data",
                             data={"image": [(io.BytesIO(tiny_jpeg()), "a.jpg")]})
    assert response.status_code == 404
    assert "Produk Orang Lain" not in intruder.get("/usaha/produk").get_data(as_text=True)
    unchanged = fresh(Product, theirs.id)
    assert (unchanged.status, unchanged.unit_price, len(unchanged.images)) == \
        (ProductStatus.PUBLISHED, 25_000, 1)
    assert count(AuditEntry) == entries
    assert stored_files(app) == files


def test_other_roles_cannot_use_supplier_or_review_pages(app, people, create_user):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat, publish=False)
    pp = login(app, create_user(Role.PP))
    assert pp.get("/usaha/produk").status_code == 403
    assert pp.get(f"/usaha/produk/{product.id}").status_code == 404
    assert pp.get("/admin/produk").status_code == 403
    assert pp.get("/admin/kategori").status_code == 403
    supplier = login(app, supplier_user)
    assert supplier.get("/admin/produk").status_code == 403
    assert supplier.post(f"/admin/produk/{product.id}/setujui").status_code == 403


# -- Admin on behalf of a supplier -------------------------------------------------------

def test_admin_creates_a_product_on_behalf_of_a_supplier(app, people):
    admin, supplier_user, _other, cat = people
    client = login(app, admin)
    org_id = supplier_user.org_id
    page = client.get(f"/admin/penyedia/{org_id}/produk/baru")
    assert page.status_code == 200
    assert "atas nama" in page.get_data(as_text=True)
    response = client.post(f"/admin/penyedia/{org_id}/produk/baru", data=form_data(cat.id))
    assert response.status_code == 303
    product = db.session.scalar(sa.select(Product))
    assert product.supplier_id == org_id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "product.created"))
    assert entry.actor_id == admin.id
    assert entry.detail_data["on_behalf"] is True

    notice = "Didaftarkan oleh UKPBJ atas nama penyedia"
    assert notice in client.get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    supplier_page = login(app, supplier_user).get(f"/usaha/produk/{product.id}")
    assert supplier_page.status_code == 200
    assert notice in supplier_page.get_data(as_text=True)
    assert "Kopi Bubuk Robusta 250 g" in client.get(f"/admin/penyedia/{org_id}/produk").get_data(as_text=True)


def test_own_listing_is_not_marked_on_behalf(app, people):
    _admin, supplier_user, _other, cat = people
    supplier = login(app, supplier_user)
    supplier.post("/usaha/produk/baru", data=form_data(cat.id))
    product = db.session.scalar(sa.select(Product))
    assert "atas nama penyedia" not in supplier.get(f"/usaha/produk/{product.id}").get_data(as_text=True)


def test_admin_on_behalf_of_something_that_is_not_a_supplier_is_404(app, people, create_org):
    admin, *_ = people
    client = login(app, admin)
    opd = create_org()
    for org_id in (opd.id, 999_999, 2**63):
        assert client.get(f"/admin/penyedia/{org_id}/produk/baru").status_code == 404
        assert client.get(f"/admin/penyedia/{org_id}/produk").status_code == 404


# -- Review ------------------------------------------------------------------------------

def _submitted(supplier_user, admin, cat, **kwargs):
    product = make_product(supplier_user, admin, cat=cat, publish=False, **kwargs)
    from pbj.services import catalogue

    catalogue.submit_product(supplier_user, product)
    db.session.commit()
    return product


def test_reject_needs_a_reason(app, people):
    admin, supplier_user, _other, cat = people
    product = _submitted(supplier_user, admin, cat)
    client = login(app, admin)
    for reason in ("", "   "):
        response = client.post(f"/admin/produk/{product.id}/tolak", data={"reason": reason})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'class="error-summary"' in html
        assert "Tulis alasan" in html
    assert fresh(Product, product.id).status is ProductStatus.SUBMITTED

    response = client.post(f"/admin/produk/{product.id}/tolak", data={"reason": "Foto buram, ganti foto."})
    assert response.status_code == 303
    rejected = fresh(Product, product.id)
    assert (rejected.status, rejected.rejection_reason) == (ProductStatus.REJECTED, "Foto buram, ganti foto.")

    # The supplier sees the reason and can send it again.
    supplier = login(app, supplier_user)
    page = supplier.get(f"/usaha/produk/{product.id}").get_data(as_text=True)
    assert "Foto buram, ganti foto." in page
    assert "Kirim untuk ditinjau" in page
    assert supplier.post(f"/usaha/produk/{product.id}/kirim").status_code == 303
    assert fresh(Product, product.id).status is ProductStatus.SUBMITTED


def test_approving_for_an_unverified_supplier_explains_why_not(app, people):
    admin, _supplier, other_user, cat = people  # `other` is not verified
    product = _submitted(other_user, admin, cat)
    response = login(app, admin).post(f"/admin/produk/{product.id}/setujui")
    assert response.status_code == 409
    assert "harus terverifikasi" in response.get_data(as_text=True)
    assert fresh(Product, product.id).status is ProductStatus.SUBMITTED


def test_deciding_twice_is_409(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, cat=cat)  # already published
    client = login(app, admin)
    assert client.post(f"/admin/produk/{product.id}/setujui").status_code == 409
    assert client.post(f"/admin/produk/{product.id}/tolak", data={"reason": "x"}).status_code == 409


def test_review_queue_is_oldest_first_and_paginates(app, people):
    admin, supplier_user, _other, cat = people
    first = _submitted(supplier_user, admin, cat, name="Produk Pertama")
    second = _submitted(supplier_user, admin, cat, name="Produk Kedua")
    html = login(app, admin).get("/admin/produk").get_data(as_text=True)
    assert html.index(first.name) < html.index(second.name)
    for hal in ("abc", "-1", "99999999999"):
        assert login(app, admin).get(f"/admin/produk?hal={hal}").status_code == 200


def test_bad_ids_are_404(app, people):
    admin, supplier_user, *_ = people
    for client in (login(app, admin), login(app, supplier_user)):
        for bad in ("abc", "0", "-1", "99999999999999999999", str(2**63), "1.5"):
            assert client.get(f"/usaha/produk/{bad}").status_code == 404, bad
            assert client.post(f"/usaha/produk/{bad}/kirim").status_code == 404, bad
            assert client.post(f"/usaha/produk/1/foto/{bad}/hapus").status_code == 404, bad
    admin_client = login(app, admin)
    for bad in ("abc", "0", "99999999999999999999", str(2**63)):
        assert admin_client.get(f"/admin/produk/{bad}").status_code == 404, bad
        assert admin_client.post(f"/admin/produk/{bad}/setujui").status_code == 404, bad
        assert admin_client.post(f"/admin/produk/{bad}/tolak", data={"reason": "x"}).status_code == 404, bad


# -- Categories -----------------------------------------------------------------------------

def test_category_tree_with_counts_and_create(app, people):
    admin, supplier_user, _other, cat = people
    make_product(supplier_user, admin, cat=cat)
    make_product(supplier_user, admin, "Draf", cat=cat, publish=False)
    client = login(app, admin)
    html = client.get("/admin/kategori").get_data(as_text=True)
    assert "Makanan dan Minuman" in html and "Kopi dan Teh" in html
    assert re.search(r"Kopi dan Teh</a></td><td><code>kopi-dan-teh</code></td>\s*<td>1</td><td>2</td>", html)

    top = db.session.scalar(sa.select(Category).where(Category.slug == "makanan-dan-minuman"))
    response = client.post("/admin/kategori", data={"name": "Kue Kering", "parent_id": str(top.id)})
    assert response.status_code == 303
    made = db.session.scalar(sa.select(Category).where(Category.slug == "kue-kering"))
    assert made.parent_id == top.id
    response = client.post("/admin/kategori", data={"name": "Jasa Percetakan", "parent_id": ""})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Category).where(Category.slug == "jasa-percetakan")).parent_id is None


def test_category_with_a_duplicate_name_is_422(app, people):
    admin, *_ = people
    client = login(app, admin)
    before = count(Category)
    response = client.post("/admin/kategori", data={"name": "Kopi dan Teh", "parent_id": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert 'value="Kopi dan Teh"' in html
    assert count(Category) == before


def test_category_with_a_bad_parent_is_422(app, people):
    admin, _supplier, _other, cat = people  # `cat` is a sub-category: not a possible parent
    client = login(app, admin)
    before = count(Category)
    for parent in (str(cat.id), "999999", "abc", "-1", "99999999999999999999999"):
        response = client.post("/admin/kategori", data={"name": "Baru", "parent_id": parent})
        assert response.status_code == 422, parent
    assert client.post("/admin/kategori", data={"name": "", "parent_id": ""}).status_code == 422
    assert client.post("/admin/kategori", data={"name": "!!!", "parent_id": ""}).status_code == 422
    assert count(Category) == before


# -- Language and navigation ---------------------------------------------------------------

def test_pages_are_in_indonesian_with_navigation(app, people):
    admin, supplier_user, _other, cat = people
    product = _submitted(supplier_user, admin, cat)
    supplier = login(app, supplier_user)
    assert "Produk saya" in supplier.get("/usaha").get_data(as_text=True)
    for url, words in [
        ("/usaha/produk", ["Tambah produk", "Menunggu tinjauan"]),
        ("/usaha/produk/baru", ["Simpan sebagai draf", "Harga per satuan"]),
        (f"/usaha/produk/{product.id}", ["Riwayat harga", "Unggah foto"]),
    ]:
        html = supplier.get(url).get_data(as_text=True)
        for word in words:
            assert word in html, (url, word)
    reviewer = login(app, admin)
    nav = reviewer.get("/admin/produk").get_data(as_text=True)
    assert "Tinjau produk" in nav and "Kategori" in nav
    assert "Setujui dan tayangkan" in reviewer.get(f"/admin/produk/{product.id}").get_data(as_text=True)
    assert "Tambah kategori" in reviewer.get("/admin/kategori").get_data(as_text=True)


def test_failed_photo_upload_keeps_the_rest_of_the_page(app, people):
    admin, supplier_user, _other, cat = people
    product = make_product(supplier_user, admin, "Kopi Robusta", price=1_250_000, cat=cat, publish=False)
    response = login(app, supplier_user).post(f"/usaha/produk/{product.id}/foto",
                                              content_type="multipart/form-data",
                                              data={"image": [(io.BytesIO(b"teks"), "a.jpg")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.index('class="error-summary"') < html.index('id="photos"')  # the summary comes first
    assert 'href="#image"' in html
    assert 'value="1.250.000"' in html  # the product form is still filled in


# -- Queries per page -------------------------------------------------------------------------



def test_list_pages_use_a_constant_number_of_queries(app, people):
    admin, supplier_user, _other, cat = people
    make_product(supplier_user, admin, "Produk 0", cat=cat)
    _submitted(supplier_user, admin, cat, name="Menunggu 0")
    supplier, reviewer = login(app, supplier_user), login(app, admin)
    own = ["/usaha/produk"]
    staff = ["/admin/produk", "/admin/kategori", f"/admin/penyedia/{supplier_user.org_id}/produk"]
    few = {url: queries(supplier, url) for url in own} | {url: queries(reviewer, url) for url in staff}
    other_cat = category("Teh Celup", parent="Makanan dan Minuman")
    for n in range(1, 6):
        make_product(supplier_user, admin, f"Produk {n}", cat=other_cat if n % 2 else cat)
        product = _submitted(supplier_user, admin, cat, name=f"Menunggu {n}")
        from pbj.services import catalogue

        catalogue.add_image(supplier_user, product, tiny_jpeg())
        db.session.commit()
    many = {url: queries(supplier, url) for url in own} | {url: queries(reviewer, url) for url in staff}
    assert many == few
