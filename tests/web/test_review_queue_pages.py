"""The UKPBJ review queue says how much waits and has numbered pages (in Indonesian)."""
from __future__ import annotations

import re

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import catalogue
from tests.catalogue_helpers import category, product as make_product, verified
from tests.conftest import PASSWORD


def _queue_of(app, create_supplier, create_user, waiting: int):
    admin = create_user(Role.ADMIN)
    supplier = verified(create_supplier("CV Kertas Jaya", with_document=True), admin)
    cat = category("Kertas", parent="Kantor")
    for n in range(waiting):
        item = make_product(supplier, admin, f"Kertas Antre {n:03d}", cat=cat, publish=False)
        catalogue.submit_product(supplier, item)
    db.session.commit()
    client = app.test_client()
    assert client.post("/masuk", data={"email": admin.email, "password": PASSWORD}).status_code == 303
    return client


def _page_links(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/admin/produk\?hal=(\d+)"', body)}


def test_the_queue_shows_its_total_and_numbered_pages(app, create_supplier, create_user):
    client = _queue_of(app, create_supplier, create_user, 65)  # 30 a page: 3 pages

    first = client.get("/admin/produk").get_data(as_text=True)
    assert "65 produk menunggu" in first and "halaman 1 dari 3" in first
    assert '<span aria-current="page">1</span>' in first
    assert _page_links(first) == {2, 3}  # the numbers and "Berikutnya"

    last = client.get("/admin/produk?hal=3").get_data(as_text=True)
    assert "halaman 3 dari 3" in last and '<span aria-current="page">3</span>' in last
    assert _page_links(last) == {1, 2}
    assert last.count("Kertas Antre") == 5

    # A filter counts only what it shows; past the end is a page, not an error.
    assert "0 produk menunggu" in client.get("/admin/produk?jenis=perubahan").get_data(as_text=True)
    beyond = client.get("/admin/produk?hal=9")
    assert beyond.status_code == 200
    assert "Halaman ini melewati akhir antrean." in beyond.get_data(as_text=True)
    assert 1 in _page_links(beyond.get_data(as_text=True))


def test_a_short_queue_has_no_pager(app, create_supplier, create_user):
    body = _queue_of(app, create_supplier, create_user, 2).get("/admin/produk").get_data(as_text=True)
    assert "2 produk menunggu" in body and "halaman 1 dari" not in body and 'class="pager"' not in body
