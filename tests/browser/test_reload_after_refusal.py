"""After a refused form the address bar shows the POST's URL (docs/ARCHITECTURE.md,
"Forms: the address after a refusal"). Reloading sends the same form again (a person's
browser asks first; headless Chromium does not): the same refusal, nothing saved.
Opening the address with a GET leads to the form's page, not to an error."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import Product, ProductStatus
from pbj.services import catalogue
from tests import catalogue_helpers as h

pytestmark = pytest.mark.browser

PASSWORD = "sandi-penyedia-uji-2024"


def test_reload_and_reopen_after_a_refused_submit(page, login, submit, create_user, create_supplier,
                                                   release_db, expect):
    admin = create_user(Role.ADMIN)
    supplier = h.verified(create_supplier("Kopi Pak Ahmad", password=PASSWORD, with_document=True), admin)
    data = catalogue.ProductData(category_id=h.category("Kopi dan Teh").id, name="Kopi Bubuk Robusta 250 g",
                                 unit="bungkus", unit_price=25_000, origin="Singkawang")
    draft = catalogue.create_product(supplier, supplier.org.supplier, data)  # no photo yet
    db.session.commit()
    draft_id, supplier_email = draft.id, supplier.email
    release_db()

    login(page, supplier_email, PASSWORD)
    page.goto(f"/usaha/produk/{draft_id}")
    refused = submit(page, page.locator("button", has_text="Kirim untuk ditinjau"))
    assert refused.status == 422
    assert page.url.endswith(f"/usaha/produk/{draft_id}/kirim")
    expect(page.locator(".error-summary")).to_be_visible()

    again = page.reload()
    assert again.request.method == "POST" and again.status == 422
    expect(page.locator(".error-summary")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Product.status).where(Product.id == draft_id)) is ProductStatus.DRAFT
    release_db()

    reopened = page.goto(page.url)
    assert reopened.status == 200
    expect(page).to_have_url(re.compile(rf"/usaha/produk/{draft_id}$"))
    expect(page.locator("#name")).to_have_value("Kopi Bubuk Robusta 250 g")
