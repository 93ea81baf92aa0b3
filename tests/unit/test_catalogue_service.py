"""Catalogue services without the web client: the price rule, the price history,
the review states, on-behalf listing, and the checks every product photo goes through."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import PriceChange, Product, ProductStatus
from pbj.services import audit, catalogue
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.services.uploads import THUMB_MAX_BYTES, product_image_path, store_product_image
from tests import catalogue_helpers as h
from tests.refusals import refused


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def owner(create_supplier, admin):
    return h.verified(create_supplier(with_document=True), admin)


def data(cat, **changes) -> catalogue.ProductData:
    values = dict(category_id=cat.id, name="Kopi Robusta", unit="bungkus", unit_price=10_000)
    values.update(changes)
    return catalogue.ProductData(**values)


def published(owner, admin, price: int) -> Product:
    return h.product(owner, admin, price=price, cat=h.category("Kopi", parent="Minuman"))


def history(product: Product) -> list[tuple]:
    return [(c.old_price, c.new_price) for c in db.session.scalars(
        sa.select(PriceChange).where(PriceChange.product_id == product.id).order_by(PriceChange.id))]


# -- Price changes (the revision rule is tested in tests/unit/test_revisions_rules.py) ------

def as_is(product: Product, **changes) -> catalogue.ProductData:
    """The product's own values as form data, with `changes`."""
    values = {name: getattr(product, name) for name in (
        "category_id", "name", "unit", "unit_price", "description", "min_order", "stock", "lead_time_days",
        "delivery_area", "tkdn_x100", "bmp_x100", "tkdn_certificate", "tkdn_certificate_date", "tkdn_ik",
        "siinas", "siinas_number", "is_pdn", "origin")}
    values["certifications"] = product.certification_list
    values.update(changes)
    return catalogue.ProductData(**values)


def test_a_price_cut_applies_at_once_and_a_draft_is_edited_directly(app, owner, admin):
    product = published(owner, admin, 10_000)
    result = catalogue.update_product(owner, product, as_is(product, unit_price=5_000))
    assert result.revision is None and result.applied == ["unit_price"]
    assert (product.status, product.unit_price) == (ProductStatus.PUBLISHED, 5_000)
    draft = catalogue.create_product(owner, owner.org.supplier, data(product.category))
    assert catalogue.update_product(owner, draft, data(product.category, unit_price=99_000)) is None
    assert (draft.status, draft.unit_price) == (ProductStatus.DRAFT, 99_000)


def test_every_price_change_is_kept_and_unchanged_price_adds_none(app, owner, admin):
    product = published(owner, admin, 10_000)
    catalogue.update_product(owner, product, as_is(product, unit_price=10_500))
    catalogue.update_product(owner, product, as_is(product, name="Kopi Robusta Premium"))  # a revision
    catalogue.update_product(admin, product, as_is(product, unit_price=9_000))
    db.session.flush()
    assert history(product) == [(None, 10_000), (10_000, 10_500), (10_500, 9_000)]
    changes = db.session.scalars(sa.select(PriceChange).where(PriceChange.product_id == product.id)
                                 .order_by(PriceChange.id)).all()
    assert [c.changed_by_id for c in changes] == [owner.id, owner.id, admin.id]


# -- States ------------------------------------------------------------------------------

def test_submit_needs_a_photo(app, owner):
    product = catalogue.create_product(owner, owner.org.supplier, data(h.category()))
    with refused(DomainError, "Add at least one photo before sending the product for review.", field="image"):
        catalogue.submit_product(owner, product)
    assert product.status is ProductStatus.DRAFT


def test_approve_needs_a_verified_supplier(app, create_supplier, admin):
    unverified = create_supplier(with_document=True)
    product = h.product(unverified, admin, cat=h.category(), publish=False)
    catalogue.submit_product(unverified, product)
    with pytest.raises(WrongState):
        catalogue.approve_product(admin, product)
    assert product.status is ProductStatus.SUBMITTED
    assert product.published_at is None and product.reviewed_price is None


def test_only_admins_review_and_only_waiting_products(app, owner, admin):
    product = h.product(owner, admin, cat=h.category(), publish=False)
    with pytest.raises(WrongState):
        catalogue.approve_product(admin, product)  # still a draft
    catalogue.submit_product(owner, product)
    with pytest.raises(NotAllowed):
        catalogue.approve_product(owner, product)
    with refused(DomainError, "Give a reason the supplier can act on.", field="reason"):
        catalogue.reject_product(admin, product, "   ")
    catalogue.reject_product(admin, product, "Foto buram")
    assert (product.status, product.rejection_reason) == (ProductStatus.REJECTED, "Foto buram")
    catalogue.submit_product(owner, product)
    assert (product.status, product.rejection_reason) == (ProductStatus.SUBMITTED, None)


def test_another_supplier_cannot_change_the_product(app, owner, admin, create_supplier):
    product = h.product(owner, admin, cat=h.category())
    stranger = create_supplier()
    for action in (lambda: catalogue.update_product(stranger, product, data(product.category, unit_price=1)),
                   lambda: catalogue.submit_product(stranger, product),
                   lambda: catalogue.archive_product(stranger, product),
                   lambda: catalogue.remove_image(stranger, product, product.images[0].id),
                   lambda: catalogue.create_product(stranger, owner.org.supplier, data(product.category))):
        with pytest.raises(NotAllowed):
            action()
    assert product.status is ProductStatus.PUBLISHED and product.unit_price == 25_000


# -- On behalf of a supplier ---------------------------------------------------------------

def test_admin_listing_is_recorded_as_on_behalf(app, owner, admin):
    cat = h.category()
    by_admin = catalogue.create_product(admin, owner.org.supplier, data(cat))
    by_owner = catalogue.create_product(owner, owner.org.supplier, data(cat, name="Kopi Arabika"))
    db.session.flush()
    created = {p.id: next(e for e in audit.entries_for("products", p.id) if e.action == "product.created")
               for p in (by_admin, by_owner)}
    assert created[by_admin.id].actor_id == admin.id
    assert created[by_admin.id].detail_data["on_behalf"] is True
    assert created[by_admin.id].detail_data["supplier_id"] == owner.org_id
    assert created[by_owner.id].detail_data["on_behalf"] is False
    assert by_admin.supplier_id == owner.org_id
    assert audit.verify_chain().ok


# -- Photos -------------------------------------------------------------------------------

def _jpeg_with_exif(size=(400, 300), orientation: int | None = None) -> bytes:
    img = Image.new("RGB", size, (30, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    exif[0x0131] = "EditorRahasia"  # Software
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _stored(app, name: str) -> bytes:
    return product_image_path(name).read_bytes()


def test_jpeg_is_reencoded_without_metadata(app):
    original = _jpeg_with_exif()
    assert b"KameraRahasia" in original
    stored = store_product_image(original, 4 * 1024 * 1024)
    for name in (stored.large_name, stored.thumb_name):
        content = _stored(app, name)
        assert b"KameraRahasia" not in content and b"EditorRahasia" not in content
        assert b"Exif" not in content
        with Image.open(io.BytesIO(content)) as img:
            assert img.format == "JPEG"
            assert not img.getexif()
    assert (stored.width, stored.height) == (400, 300)
    assert stored.thumb_bytes == len(_stored(app, stored.thumb_name)) <= THUMB_MAX_BYTES


def test_orientation_is_applied_before_the_metadata_is_dropped(app):
    stored = store_product_image(_jpeg_with_exif((400, 300), orientation=6), 4 * 1024 * 1024)
    assert (stored.width, stored.height) == (300, 400)  # turned upright


def test_png_is_accepted_and_stored_as_jpeg(app):
    out = io.BytesIO()
    Image.new("RGBA", (200, 100), (255, 0, 0, 128)).save(out, "PNG")
    stored = store_product_image(out.getvalue(), 4 * 1024 * 1024)
    assert stored.large_name.endswith(".jpg")
    with Image.open(product_image_path(stored.large_name)) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (200, 100))


def test_noisy_large_photo_still_gets_a_small_thumbnail(app):
    channels = [Image.effect_noise((3000, 3000), 120) for _ in range(3)]
    noisy = Image.merge("RGB", channels)
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=95)
    stored = store_product_image(out.getvalue(), 64 * 1024 * 1024)
    assert stored.thumb_bytes <= THUMB_MAX_BYTES
    assert len(_stored(app, stored.thumb_name)) <= 20 * 1024
    assert max(stored.width, stored.height) <= 1200


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def _truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise((600, 600), 80)] * 3).save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


TOO_MANY_PIXELS = "The image has too many pixels: at most %(mp)s megapixels per image."
NOT_AN_IMAGE = "Only JPEG or PNG images are accepted."
DAMAGED = "The image file is damaged or not a real image."


@pytest.mark.parametrize("content, msgid", [
    pytest.param(_png_header_only(100_000, 100_000), TOO_MANY_PIXELS, id="decompression bomb"),
    pytest.param(_png_header_only(7_000, 7_000), TOO_MANY_PIXELS, id="too many pixels for us"),
    pytest.param(b"Ini hanya sebuah berkas teks.\n" * 20, NOT_AN_IMAGE, id="text"),
    pytest.param(_truncated_jpeg(), DAMAGED, id="truncated jpeg"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, DAMAGED, id="png signature, garbage"),
    pytest.param(b"GIF89a" + b"\x00" * 100, NOT_AN_IMAGE, id="gif"),
    pytest.param(b"%PDF-1.4\n%\n", NOT_AN_IMAGE, id="pdf"),
    pytest.param(b"", "The file is empty.", id="empty"),
])
def test_bad_images_are_refused_for_the_form(app, content, msgid):
    folder = Path(app.instance_path) / "uploads" / "products"
    before = sorted(folder.glob("*")) if folder.exists() else []
    with refused(DomainError, msgid, field="image"):
        store_product_image(content, 4 * 1024 * 1024)
    assert (sorted(folder.glob("*")) if folder.exists() else []) == before


def test_oversized_image_is_refused_before_decoding(app):
    with refused(DomainError, "The image is too large (at most %(mb)s MB).", field="image"):
        store_product_image(b"\xff\xd8\xff" + b"0" * 2048, 1024)


def test_an_archived_product_keeps_its_photos(app, owner, admin):
    product = h.product(owner, admin, cat=h.category())
    catalogue.archive_product(owner, product)
    with pytest.raises(WrongState):
        catalogue.add_image(owner, product, h.tiny_jpeg())
    with pytest.raises(WrongState):
        catalogue.remove_image(owner, product, product.images[0].id)
    with pytest.raises(WrongState):
        catalogue.update_product(owner, product, data(product.category))
    assert len(product.images) == 1


def test_at_most_five_photos(app, owner, admin):
    product = h.product(owner, admin, cat=h.category(), publish=False)  # one photo
    for _ in range(4):
        catalogue.add_image(owner, product, h.tiny_jpeg())
    with refused(DomainError, "A product has at most %(n)d photos.", field="image", n=5):
        catalogue.add_image(owner, product, h.tiny_jpeg())
    assert len(product.images) == 5
