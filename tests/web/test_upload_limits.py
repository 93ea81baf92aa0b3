"""Uploads that would exhaust the server are refused through the web: photos with too
many pixels (422), and a supplier uploading too often (429), with the page and a clear
message; nothing is stored either way."""
from __future__ import annotations

import functools
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import ProductImage
from pbj.models.suppliers import SupplierDocument
from pbj.services import catalogue
from tests import catalogue_helpers as h
from tests.conftest import PASSWORD


@functools.lru_cache
def big_png() -> bytes:
    """6300 × 6300 pixels in about a hundred KB, as in the attack."""
    out = io.BytesIO()
    Image.new("RGB", (6300, 6300)).save(out, "PNG")
    return out.getvalue()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


@pytest.fixture
def unverified(app, create_supplier):
    user = create_supplier("UMKM Belum Terverifikasi")
    product = catalogue.create_product(user, user.org.supplier, catalogue.ProductData(
        category_id=h.category("Kopi").id, name="Kopi Robusta", unit="bungkus", unit_price=10_000))
    db.session.commit()
    return user, product.id


def post_photos(client, product_id: int, photos: list[bytes]):
    return client.post(f"/usaha/produk/{product_id}/foto", content_type="multipart/form-data",
                       data={"image": [(io.BytesIO(data), f"foto-{n}.png") for n, data in enumerate(photos)]})


def test_five_huge_pngs_are_refused_with_422_and_nothing_is_stored(app, unverified):
    user, product_id = unverified
    client = login(app, user)
    before_files, before_audit = stored_files(app), count(AuditEntry)
    response = post_photos(client, product_id, [big_png()] * 5)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert "Gambar ini terlalu banyak pikselnya (6300 × 6300): paling banyak 24 megapiksel per gambar." in html
    assert count(ProductImage) == 0
    assert stored_files(app) == before_files
    assert count(AuditEntry) == before_audit


def test_too_many_uploads_in_an_hour_is_429_with_the_page_and_nothing_stored(app, unverified):
    app.config.update(UPLOADS_PER_HOUR_UNVERIFIED=3)
    user, product_id = unverified
    client = login(app, user)
    assert post_photos(client, product_id, [h.tiny_jpeg(), h.tiny_jpeg()]).status_code == 303
    before = stored_files(app)
    response = post_photos(client, product_id, [h.tiny_jpeg(), h.tiny_jpeg()])
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "<nav" in html and 'class="error-summary"' in html  # the product page in the site layout
    assert ("Selama usaha Anda belum diverifikasi UKPBJ, paling banyak 3 berkas dapat diunggah per jam "
            "(sisa saat ini: 1).") in html
    assert count(ProductImage) == 2
    assert stored_files(app) == before
    # The one upload left still goes through.
    assert post_photos(client, product_id, [h.tiny_jpeg()]).status_code == 303
    assert count(ProductImage) == 3


def test_documents_count_against_the_same_hourly_limit(app, unverified):
    app.config.update(UPLOADS_PER_HOUR_UNVERIFIED=2)
    user, product_id = unverified
    client = login(app, user)
    assert post_photos(client, product_id, [h.tiny_jpeg(), h.tiny_jpeg()]).status_code == 303
    before = stored_files(app)
    response = client.post("/usaha/dokumen", content_type="multipart/form-data",
                           data={"kind": "nib", "file": (io.BytesIO(b"%PDF-1.4\n%uji\n"), "nib.pdf")})
    assert response.status_code == 429
    assert "paling banyak 2 berkas dapat diunggah per jam" in response.get_data(as_text=True)
    assert count(SupplierDocument) == 0
    assert stored_files(app) == before


def test_huge_image_document_is_refused_with_422(app, unverified):
    user, _product_id = unverified
    response = login(app, user).post("/usaha/dokumen", content_type="multipart/form-data",
                                     data={"kind": "nib", "file": (io.BytesIO(big_png()), "nib.png")})
    assert response.status_code == 422
    assert "paling banyak 24 megapiksel" in response.get_data(as_text=True)
    assert count(SupplierDocument) == 0
