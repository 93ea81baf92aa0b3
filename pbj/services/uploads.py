"""Storing uploaded files under the instance folder, checked by content."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from pbj.messages import lazy_gettext as _l

from pbj.services.errors import DomainError

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


def upload_dir(kind: str) -> Path:
    path = Path(current_app.instance_path) / "uploads" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        _check_image(data)
    name = f"{secrets.token_hex(16)}.{ext}"
    (upload_dir("documents") / name).write_bytes(data)
    return StoredFile(name, content_type, len(data), hashlib.sha256(data).hexdigest())


def _check_image(data: bytes) -> None:
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
    except Exception:  # Pillow raises many kinds for broken or hostile images
        raise DomainError(_l("The image file is damaged or not a real image."), field="file")


def document_path(stored_name: str) -> Path:
    return upload_dir("documents") / stored_name


# -- Product images ----------------------------------------------------------------

THUMB_MAX_BYTES = 20 * 1024
THUMB_BOX = (320, 320)
LARGE_BOX = (1200, 1200)
MAX_IMAGE_PIXELS = 40_000_000  # larger is treated as a decompression bomb


@dataclass
class StoredImage:
    large_name: str
    thumb_name: str
    width: int
    height: int
    thumb_bytes: int


def open_checked_image(data: bytes, max_bytes: int, field: str = "image"):
    """Open an upload with Pillow after checking size, type and pixel count; the
    picture upright, as RGB, with no metadata. DomainError (for `field`) otherwise."""
    import io
    import warnings

    from PIL import Image, ImageOps

    if not data:
        raise DomainError(_l("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise DomainError(_l("The image is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024)),
                          field=field)
    found = sniff_type(data[:16])
    if found is None or not found[0].startswith("image/"):
        raise DomainError(_l("Only JPEG or PNG images are accepted."), field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                probe.verify()
            img = Image.open(io.BytesIO(data))
            img.load()
    except DomainError:
        raise
    except Exception:  # Pillow raises many kinds for broken or hostile images
        raise DomainError(_l("The image file is damaged or not a real image."), field=field)
    return ImageOps.exif_transpose(img).convert("RGB")  # orientation kept, metadata dropped


def store_product_image(data: bytes, max_bytes: int) -> StoredImage:
    """Check an upload with Pillow, re-encode it (no metadata) as a large JPEG
    and a thumbnail of at most 20 KB; raise DomainError for the form."""
    img = open_checked_image(data, max_bytes)
    large = img.copy()
    large.thumbnail(LARGE_BOX)
    large_bytes = _jpeg(large, 82)
    thumb = img.copy()
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


def save_product_image(large_bytes: bytes, thumb_bytes: bytes, width: int, height: int) -> StoredImage:
    folder = upload_dir("products")
    token = secrets.token_hex(16)
    large_name, thumb_name = f"{token}.jpg", f"{token}-t.jpg"
    (folder / large_name).write_bytes(large_bytes)
    (folder / thumb_name).write_bytes(thumb_bytes)
    return StoredImage(large_name, thumb_name, width, height, len(thumb_bytes))


def _jpeg(img, quality: int) -> bytes:
    import io

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
    img = open_checked_image(data, max_bytes, field="photo")
    img.thumbnail(LARGE_BOX)
    name = f"{secrets.token_hex(16)}.jpg"
    (upload_dir("evidence") / name).write_bytes(_jpeg(img, 82))
    return name


def evidence_photo_path(name: str) -> Path | None:
    import re

    if not re.fullmatch(r"[0-9a-f]{32}\.jpg", name or ""):
        return None
    return upload_dir("evidence") / name
