"""Image uploads cannot exhaust the server: pixels are checked from the header before
anything is decoded, big photos are decoded reduced, and a supplier's uploads per hour
are limited (lower before verification), counted from the database."""
from __future__ import annotations

import functools
import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.suppliers import DocumentKind, SupplierDocument
from pbj.services import catalogue, suppliers, uploads
from pbj.services.errors import DomainError, TooOften
from tests import catalogue_helpers as h
from tests.refusals import refused

TOO_MANY_PIXELS = "The image has too many pixels (%(w)d × %(h)d): at most %(mp)s megapixels per image."

PDF = b"%PDF-1.4\n%test\n"


@functools.lru_cache
def big_png(width: int = 6300, height: int = 6300) -> bytes:
    """A real, valid PNG of many pixels that compresses to about a hundred KB (as in the attack)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "JPEG")
    return out.getvalue()


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    """The size of every bitmap Pillow decodes from a file during the test."""
    sizes: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def files_in(app, kind: str) -> list[Path]:
    folder = Path(app.instance_path) / "uploads" / kind
    return sorted(folder.glob("*")) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def verified_owner(create_supplier, admin):
    return h.verified(create_supplier(), admin)


@pytest.fixture
def unverified_owner(create_supplier):
    return create_supplier()


def draft(owner):
    """A new product without photos (h.product attaches one, which would count as an upload)."""
    return catalogue.create_product(owner, owner.org.supplier, catalogue.ProductData(
        category_id=h.category("Kopi").id, name="Kopi Robusta", unit="bungkus", unit_price=10_000))


# -- Pixels, from the header --------------------------------------------------------

def test_photo_above_the_pixel_limit_is_refused_from_its_header_naming_the_limit(app, decoded):
    with refused(DomainError, TOO_MANY_PIXELS, field="image", w=6300, h=6300) as err:
        uploads.store_product_image(big_png(), app.config["IMAGE_MAX_BYTES"])
    assert str(err.value.message) == ("Gambar ini terlalu banyak pikselnya (6300 × 6300): paling banyak "
                                      "24 megapiksel per gambar.")
    assert decoded == []  # not a pixel decoded
    assert files_in(app, "products") == []


def test_decompression_bomb_beyond_pillows_own_limit_names_ours(app):
    with refused(DomainError, "The image has too many pixels: at most %(mp)s megapixels per image.",
                 field="image") as err:
        uploads.probe_image(png_header_only(100_000, 100_000), app.config["IMAGE_MAX_BYTES"])
    assert "paling banyak 24 megapiksel" in str(err.value.message)


def test_the_pixel_limit_is_configurable_and_pillow_follows_it(make_app, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # put back afterwards
    app = make_app(IMAGE_MAX_PIXELS=1_500_000)
    assert Image.MAX_IMAGE_PIXELS == 1_500_000
    with app.app_context():
        assert uploads.probe_image(png((1500, 1000)), 10**6) == 1_500_000
        with refused(DomainError, TOO_MANY_PIXELS, field="image", w=1501, h=1000) as err:
            uploads.probe_image(png((1501, 1000)), 10**6)
        assert "(1501 × 1000): paling banyak 1,5 megapiksel" in str(err.value.message)


def test_image_documents_get_the_pixel_limit_too(app, unverified_owner):
    with refused(DomainError, TOO_MANY_PIXELS, field="file") as err:
        suppliers.add_document(unverified_owner, unverified_owner.org.supplier, DocumentKind.NIB, "nib.png",
                               big_png())
    assert "24 megapiksel" in str(err.value.message)
    assert files_in(app, "documents") == []


def test_bast_photo_gets_the_pixel_limit_too(app, decoded):
    with refused(DomainError, TOO_MANY_PIXELS, field="photo"):
        uploads.store_evidence_photo(big_png(), app.config["IMAGE_MAX_BYTES"])
    assert decoded == []
    assert files_in(app, "evidence") == []


def test_pixels_of_one_upload_are_bounded_together_before_any_is_decoded(app, unverified_owner, decoded):
    app.config.update(IMAGE_MAX_PIXELS=5_000_000, IMAGE_MAX_PIXELS_PER_REQUEST=8_000_000)
    product = draft(unverified_owner)
    before = files_in(app, "products")
    photos = [png((2000, 1500)) for _ in range(3)]  # 3 megapixels each, 9 together
    decoded.clear()
    with refused(DomainError, "These photos have %(total)s megapixels together: at most %(mp)s megapixels in "
                 "one upload. Send fewer photos at a time.", field="image") as err:
        catalogue.add_images(unverified_owner, product, photos, utcnow())
    assert str(err.value.message) == ("Foto-foto ini berjumlah 9 megapiksel: paling banyak 8 megapiksel dalam "
                                      "satu kali unggah. Kirim lebih sedikit foto sekaligus.")
    assert decoded == []
    assert product.images == []
    assert files_in(app, "products") == before


# -- Decoding what is allowed, reduced -------------------------------------------------

def test_big_jpeg_is_decoded_at_a_reduced_scale(app, decoded):
    stored = uploads.store_product_image(jpeg((6000, 4000)), app.config["IMAGE_MAX_BYTES"])
    assert (stored.width, stored.height) == (1200, 800)
    assert max(decoded) == (3000, 2000)  # a quarter of the pixels: never the full 24 megapixels


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA", "I;16", "1", "L"])
def test_png_of_any_mode_comes_out_as_a_small_rgb_jpeg(app, mode):
    stored = uploads.store_product_image(png((3000, 2000), mode), app.config["IMAGE_MAX_BYTES"])
    with Image.open(uploads.product_image_path(stored.large_name)) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (1200, 800))


def test_cmyk_jpeg_comes_out_as_rgb(app):
    img = uploads.open_reduced_image(jpeg((2400, 1600), "CMYK"), app.config["IMAGE_MAX_BYTES"], (1200, 1200))
    assert (img.mode, img.size) == ("RGB", (1200, 800))


# -- Uploads per hour -------------------------------------------------------------------

def test_verified_supplier_is_limited_per_hour(app, create_supplier, admin):
    app.config.update(UPLOADS_PER_HOUR=4, UPLOADS_PER_HOUR_UNVERIFIED=1)
    owner = h.verified(create_supplier(), admin)  # one document, uploaded now
    product = draft(owner)
    start = utcnow()
    catalogue.add_images(owner, product, [h.tiny_jpeg(), h.tiny_jpeg()], start)
    db.session.commit()
    with pytest.raises(TooOften) as err:
        catalogue.add_images(owner, product, [h.tiny_jpeg(), h.tiny_jpeg()], start + timedelta(minutes=30))
    assert err.value.field == "image"
    assert str(err.value.message) == ("Paling banyak 4 berkas dapat diunggah per jam (sisa saat ini: 1). "
                                      "Coba lagi nanti atau kirim lebih sedikit berkas.")
    db.session.rollback()
    catalogue.add_image(owner, product, h.tiny_jpeg(), start + timedelta(minutes=30))  # the one left
    db.session.commit()
    with pytest.raises(TooOften):
        catalogue.add_image(owner, product, h.tiny_jpeg(), start + timedelta(minutes=59))
    db.session.rollback()
    # An hour after the first two (and the document), there is room again.
    catalogue.add_images(owner, product, [h.tiny_jpeg(), h.tiny_jpeg()], start + timedelta(minutes=61))
    db.session.commit()
    assert len(product.images) == 5


def test_unverified_supplier_has_the_lower_limit(app, create_supplier):
    app.config.update(UPLOADS_PER_HOUR=100, UPLOADS_PER_HOUR_UNVERIFIED=3)
    owner = create_supplier()
    product = draft(owner)
    now = utcnow()
    suppliers.add_document(owner, owner.org.supplier, DocumentKind.NIB, "nib.pdf", PDF, now)
    catalogue.add_images(owner, product, [h.tiny_jpeg(), h.tiny_jpeg()], now)
    db.session.commit()
    with pytest.raises(TooOften) as err:
        catalogue.add_image(owner, product, h.tiny_jpeg(), now + timedelta(minutes=1))
    assert str(err.value.message).startswith(
        "Selama usaha Anda belum diverifikasi UKPBJ, paling banyak 3 berkas dapat diunggah per jam "
        "(sisa saat ini: 0).")
    db.session.rollback()
    with pytest.raises(TooOften) as err:
        suppliers.add_document(owner, owner.org.supplier, DocumentKind.NPWP, "npwp.pdf", PDF,
                               now + timedelta(minutes=1))
    assert err.value.field == "file"
    db.session.rollback()
    assert count(SupplierDocument) == 1
    assert len(files_in(app, "documents")) == 1


def test_removing_photos_does_not_give_uploads_back(app, create_supplier, admin):
    app.config.update(UPLOADS_PER_HOUR=3)
    owner = h.verified(create_supplier(), admin)
    product = draft(owner)
    now = utcnow()
    images = catalogue.add_images(owner, product, [h.tiny_jpeg(), h.tiny_jpeg()], now)
    for image in images:
        catalogue.remove_image(owner, product, image.id)
    db.session.commit()
    with pytest.raises(TooOften):  # the document and two photos already used the hour
        catalogue.add_image(owner, product, h.tiny_jpeg(), now + timedelta(minutes=5))


def test_other_suppliers_uploads_do_not_count(app, create_supplier):
    app.config.update(UPLOADS_PER_HOUR_UNVERIFIED=2)
    busy, quiet = create_supplier(), create_supplier()
    now = utcnow()
    catalogue.add_images(busy, draft(busy), [h.tiny_jpeg(), h.tiny_jpeg()], now)
    catalogue.add_images(quiet, draft(quiet), [h.tiny_jpeg(), h.tiny_jpeg()], now)
    db.session.commit()
    assert uploads.uploads_since(busy.org_id, now - timedelta(hours=1)) == 2


def test_ukpbj_staff_uploading_on_a_suppliers_behalf_are_not_limited(app, create_supplier, admin):
    app.config.update(UPLOADS_PER_HOUR_UNVERIFIED=1)
    owner = create_supplier()
    product = draft(owner)
    catalogue.add_images(admin, product, [h.tiny_jpeg() for _ in range(4)], utcnow())
    db.session.commit()
    assert len(product.images) == 4


def test_a_photo_refused_after_others_were_stored_leaves_no_file(app, verified_owner):
    product = draft(verified_owner)
    before = files_in(app, "products")
    out = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise((600, 600), 80)] * 3).save(out, "JPEG")
    truncated = out.getvalue()[: len(out.getvalue()) // 2]  # its header passes the probe; decoding fails
    with refused(DomainError, "The image file is damaged or not a real image.", field="image"):
        catalogue.add_images(verified_owner, product, [h.tiny_jpeg(), h.tiny_jpeg(), truncated], utcnow())
    db.session.rollback()
    assert files_in(app, "products") == before
