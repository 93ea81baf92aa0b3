"""Storing uploaded files under the instance folder, checked by content."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

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
