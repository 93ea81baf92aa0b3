"""A full disk under the upload folder (issue 16): the form says so, and nothing is half
stored — no partial file, no row. The folder is a real, tiny tmpfs (mounting needs root,
which CI has; elsewhere the test skips)."""
from __future__ import annotations

import io
import os
import subprocess  # nosec B404: mount and umount, argument lists only
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import ProductImage
from pbj.models.suppliers import SupplierDocument
from tests import catalogue_helpers as h
from tests.conftest import IN_CI, PASSWORD

FULL = "penyimpanan server penuh"


@pytest.fixture
def full_disk(tmp_path):
    """A 256 KiB tmpfs filled to all but about 2 KiB."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],  # nosec B603, B607
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"CI must run the disk-full test, but mount failed: {done.stderr}")
        pytest.skip(f"cannot mount a tmpfs here (root needed): {done.stderr.strip()}")
    try:
        filler = folder / "filler"
        with open(filler, "wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError:
                pass
        filler.write_bytes(b"\0" * (filler.stat().st_size - 2048))  # leave a little room
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)  # nosec B603, B607


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _photo() -> bytes:
    out = io.BytesIO()
    # Noise does not compress: the JPEG is far larger than the room left.
    Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3)).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_photo_on_a_full_disk_is_a_form_error_and_nothing_is_stored(app, make_app, full_disk, create_user,
                                                                      create_supplier):
    admin = create_user(Role.ADMIN)
    supplier = create_supplier("UMKM Kerupuk Basah")
    product = h.product(supplier, admin, "Kerupuk Basah Singkawang", publish=False)
    product_id, email = product.id, supplier.email
    db.session.commit()
    served = make_app(UPLOAD_FOLDER=str(full_disk))
    before = _files(full_disk)
    images = db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage))

    client = served.test_client()
    assert client.post("/masuk", data={"email": email, "password": PASSWORD}).status_code == 303
    refused = client.post(f"/usaha/produk/{product_id}/foto", content_type="multipart/form-data",
                          data={"image": [(io.BytesIO(_photo()), "kerupuk.jpg")]})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert FULL in page and "Tidak ada yang tersimpan" in page
    assert 'name="name"' in page  # the product's page, with its form, not an error page
    assert _files(full_disk) == before  # no partial photo or thumbnail
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)) == images


def test_a_document_on_a_full_disk_is_a_form_error_and_nothing_is_stored(app, make_app, full_disk,
                                                                         create_supplier):
    supplier = create_supplier("UMKM Tenun Ikat")
    email = supplier.email
    db.session.commit()
    served = make_app(UPLOAD_FOLDER=str(full_disk))
    before = _files(full_disk)
    documents = db.session.scalar(sa.select(sa.func.count()).select_from(SupplierDocument))

    client = served.test_client()
    assert client.post("/masuk", data={"email": email, "password": PASSWORD}).status_code == 303
    pdf = b"%PDF-1.4\n" + os.urandom(64 * 1024)
    refused = client.post("/usaha/dokumen", content_type="multipart/form-data",
                          data={"kind": "nib", "file": (io.BytesIO(pdf), "nib.pdf")})
    assert refused.status_code == 422, refused.status_code
    assert FULL in refused.get_data(as_text=True)
    assert _files(full_disk) == before
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupplierDocument)) == documents
