"""Storing uploaded files under the instance folder, checked by content."""
from __future__ import annotations

import hashlib
import io
import math
import os
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.services.errors import DomainError, TooOften

# Leading bytes of the types we accept; the extension the user gave is ignored.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def sniff_type(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in _SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def upload_root() -> Path:
    """The folder of every upload (UPLOAD_FOLDER, by default <instance>/uploads)."""
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


def uploads_writable() -> bool:
    """Whether a file can be stored now (the folder exists or can be made, and is writable)."""
    root = upload_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(root, os.W_OK)


def upload_dir(kind: str) -> Path:
    path = upload_root() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _store(kind: str, files: dict[str, bytes], field: str) -> None:
    """Write the files of one upload whole, or none of them: a disk that is full (or a
    folder that cannot be written) leaves no partial file and becomes the form's error."""
    written: list[Path] = []
    try:
        folder = upload_dir(kind)
        for name, data in files.items():
            path = folder / name
            written.append(path)
            with open(path, "xb") as out:  # x: a new name, never another file
                out.write(data)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        current_app.logger.error("Upload not stored (%s): %s", kind, error)
        raise DomainError(_l("The file could not be stored: the server's storage is full or not writable. "
                             "Nothing was saved. Try again later; if it goes on, tell the UKPBJ."),
                          field=field) from None


def store_document(data: bytes, max_bytes: int) -> StoredFile:
    """Check and store a verification document; raise DomainError for the form."""
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > max_bytes:
        raise DomainError(
            _l("The file is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024)),
            field="file",
        )
    found = sniff_type(data[:16])
    if found is None:
        raise DomainError(_l("Only PDF, JPEG or PNG files are accepted."), field="file")
    content_type, ext = found
    if content_type.startswith("image/"):
        # Kept as sent, never decoded here; the pixel limit still spares whoever opens it.
        probe_image(data, max_bytes, field="file")
    name = f"{secrets.token_hex(16)}.{ext}"
    _store("documents", {name: data}, "file")
    return StoredFile(name, content_type, len(data), hashlib.sha256(data).hexdigest())


def document_path(stored_name: str) -> Path:
    return upload_dir("documents") / stored_name


# -- Product images ----------------------------------------------------------------

THUMB_MAX_BYTES = 20 * 1024
THUMB_BOX = (320, 320)
LARGE_BOX = (1200, 1200)


def init_app(app: Flask) -> None:
    """Pillow's own decompression-bomb guard (a warning above the limit, an error above
    twice it) follows IMAGE_MAX_PIXELS, so every Image.open in the process agrees with ours."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = app.config["IMAGE_MAX_PIXELS"]


@dataclass
class StoredImage:
    large_name: str
    thumb_name: str
    width: int
    height: int
    thumb_bytes: int


def _megapixels(pixels: int) -> str:
    from flask_babel import format_decimal

    return format_decimal(round(pixels / 1_000_000, 1))  # "39,7" in Indonesian


def probe_image(data: bytes, max_bytes: int, field: str = "image") -> int:
    """Check an image upload from its bytes and header only (no pixel is decoded): size,
    type, and at most IMAGE_MAX_PIXELS pixels. Returns its pixel count; DomainError
    (for `field`) otherwise."""
    from PIL import Image

    if not data:
        raise DomainError(_l("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise DomainError(_l("The image is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024)),
                          field=field)
    found = sniff_type(data[:16])
    if found is None or not found[0].startswith("image/"):
        raise DomainError(_l("Only JPEG or PNG images are accepted."), field=field)
    limit = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            # Our own check below names the limit; Pillow's warning would only repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:  # reads the header, not the pixels
                width, height = probe.size
                if width * height <= limit:
                    probe.verify()  # PNG: every chunk's checksum; still nothing decoded
    except Image.DecompressionBombError:  # over twice Pillow's limit: it will not even open it
        raise DomainError(_l("The image has too many pixels: at most %(mp)s megapixels per image.",
                             mp=_megapixels(limit)), field=field)
    except Exception:  # Pillow raises many kinds for broken or hostile images
        raise DomainError(_l("The image file is damaged or not a real image."), field=field)
    if width * height > limit:
        raise DomainError(_l("The image has too many pixels (%(w)d × %(h)d): at most %(mp)s megapixels "
                             "per image.", w=width, h=height, mp=_megapixels(limit)), field=field)
    return width * height


def probe_images(photos: list[bytes], max_bytes: int, field: str = "image") -> None:
    """probe_image for each photo of one request, and at most IMAGE_MAX_PIXELS_PER_REQUEST
    pixels in all: every header is checked before any picture is decoded."""
    total = sum(probe_image(data, max_bytes, field) for data in photos)
    limit = current_app.config["IMAGE_MAX_PIXELS_PER_REQUEST"]
    if total > limit:
        raise DomainError(_l("These photos have %(total)s megapixels together: at most %(mp)s megapixels "
                             "in one upload. Send fewer photos at a time.",
                             total=_megapixels(total), mp=_megapixels(limit)), field=field)


def open_reduced_image(data: bytes, max_bytes: int, box: tuple[int, int], field: str = "image"):
    """The picture of an upload, checked like probe_image, shrunk to fit `box`, upright,
    as RGB, with no metadata. DomainError (for `field`) otherwise.

    A JPEG is decoded at a reduced scale straight away (draft); a PNG is decoded whole,
    reduced by a whole factor and the full bitmap dropped, so a large but allowed photo
    is held at full size as briefly as possible."""
    from PIL import Image, ImageOps

    probe_image(data, max_bytes, field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fit = min(box[0] / img.width, box[1] / img.height)
            if img.format == "JPEG" and fit < 1:
                # DCT scaling by 1/2, 1/4 or 1/8 while decoding, keeping twice the final size
                # (Pillow's reducing_gap) so the last resampling step keeps the quality.
                img.draft("RGB", (math.ceil(img.width * fit * 2), math.ceil(img.height * fit * 2)))
            img.load()
            if img.mode not in ("RGB", "L"):  # palette, alpha, 16-bit, CMYK: resample as plain RGB
                img = img.convert("RGB")
            img.thumbnail(box, reducing_gap=2.0)  # in place: reduce() by a whole factor, then resample
            upright = ImageOps.exif_transpose(img)  # orientation kept; the metadata goes below
    except Exception:  # Pillow raises many kinds for broken or hostile images
        raise DomainError(_l("The image file is damaged or not a real image."), field=field)
    return upright.convert("RGB")


def store_product_image(data: bytes, max_bytes: int) -> StoredImage:
    """Check an upload with Pillow, re-encode it (no metadata) as a large JPEG
    and a thumbnail of at most 20 KB; raise DomainError for the form."""
    large = open_reduced_image(data, max_bytes, LARGE_BOX)
    large_bytes = _jpeg(large, 82)
    thumb = large.copy()
    thumb.thumbnail(THUMB_BOX)
    quality = 80
    thumb_bytes = _jpeg(thumb, quality)
    while len(thumb_bytes) > THUMB_MAX_BYTES and quality > 30:
        quality -= 10
        thumb_bytes = _jpeg(thumb, quality)
    while len(thumb_bytes) > THUMB_MAX_BYTES:  # still too big: shrink the picture itself
        thumb.thumbnail((thumb.width * 3 // 4, thumb.height * 3 // 4))
        thumb_bytes = _jpeg(thumb, quality)
    return save_product_image(large_bytes, thumb_bytes, large.width, large.height)


def discard_product_image(stored: StoredImage) -> None:
    """Delete the files of a stored image whose row is not kept."""
    for name in (stored.large_name, stored.thumb_name):
        path = product_image_path(name)
        if path is not None:
            path.unlink(missing_ok=True)


def save_product_image(large_bytes: bytes, thumb_bytes: bytes, width: int, height: int) -> StoredImage:
    token = secrets.token_hex(16)
    large_name, thumb_name = f"{token}.jpg", f"{token}-t.jpg"
    _store("products", {large_name: large_bytes, thumb_name: thumb_bytes}, "image")
    return StoredImage(large_name, thumb_name, width, height, len(thumb_bytes))


def _jpeg(img, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def product_image_path(name: str) -> Path | None:
    """Path of a stored product image, or None for anything that is not one of our names."""
    import re

    if not re.fullmatch(r"[0-9a-f]{32}(-t)?\.jpg", name or ""):
        return None
    return upload_dir("products") / name


def store_evidence_photo(data: bytes, max_bytes: int) -> str:
    """A BAST photo: checked and re-encoded like product photos; returns its stored name."""
    img = open_reduced_image(data, max_bytes, LARGE_BOX, field="photo")
    name = f"{secrets.token_hex(16)}.jpg"
    _store("evidence", {name: _jpeg(img, 82)}, "photo")
    return name


def evidence_photo_path(name: str) -> Path | None:
    import re

    if not re.fullmatch(r"[0-9a-f]{32}\.jpg", name or ""):
        return None
    return upload_dir("evidence") / name


# -- How often a supplier uploads -------------------------------------------------------

def uploads_since(supplier_id: int, since: datetime) -> int:
    """Files a supplier has stored since `since`: its product photos and its documents.

    Counted from the database, so every worker sees the same number. Photos are counted
    from the audit trail, which keeps them after a photo is removed: removing photos and
    uploading again does not reset the count."""
    from pbj.models.audit import AuditEntry
    from pbj.models.catalogue import Product
    from pbj.models.suppliers import SupplierDocument

    products = sa.select(sa.cast(Product.id, sa.String)).where(Product.supplier_id == supplier_id)
    photos = sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "products", AuditEntry.object_id.in_(products),
        AuditEntry.action == "product.image_added", AuditEntry.occurred_at >= since)
    documents = sa.select(sa.func.count()).select_from(SupplierDocument).where(
        SupplierDocument.supplier_id == supplier_id, SupplierDocument.uploaded_at >= since)
    return db.session.scalar(photos) + db.session.scalar(documents)


def require_upload_quota(actor, supplier, count: int, now: datetime, field: str) -> None:
    """Refuse (TooOften) a supplier's user who would store more than UPLOADS_PER_HOUR files
    in the hour up to `now`, or UPLOADS_PER_HOUR_UNVERIFIED while the UKPBJ has not verified
    the business. UKPBJ staff uploading on a supplier's behalf are not limited."""
    from pbj.models.accounts import Role
    from pbj.models.suppliers import VerificationStatus

    if actor.role is not Role.PENYEDIA:
        return
    verified = supplier.verification is VerificationStatus.VERIFIED
    limit = current_app.config["UPLOADS_PER_HOUR" if verified else "UPLOADS_PER_HOUR_UNVERIFIED"]
    used = uploads_since(supplier.org_id, now - timedelta(hours=1))
    if used + count <= limit:
        return
    left = max(limit - used, 0)
    if verified:
        message = _l("At most %(n)d files may be uploaded per hour (%(left)d left now). Try again later "
                     "or send fewer files.", n=limit, left=left)
    else:
        message = _l("Until the UKPBJ has verified your business, at most %(n)d files may be uploaded per "
                     "hour (%(left)d left now). Try again later or send fewer files.", n=limit, left=left)
    raise TooOften(message, field=field)
