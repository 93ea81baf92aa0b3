"""Journey: a supplier lists a product with a photo and sends it for review; the
UKPBJ approves it — real forms with CSRF on, JavaScript on and off."""
from __future__ import annotations

import re

import pytest
from PIL import Image

from pbj.models.accounts import Role
from tests import catalogue_helpers as h

pytestmark = pytest.mark.browser

PASSWORD = "sandi-penyedia-uji-2024"
ADMIN_PASSWORD = "sandi-admin-ukpbj-2024"


def test_supplier_lists_and_admin_approves(page, new_page, login, submit, create_user, create_supplier,
                                           release_db, expect, tmp_path, screenshot_dir, js_enabled):
    admin = create_user(Role.ADMIN, password=ADMIN_PASSWORD)
    supplier = h.verified(create_supplier("Kopi Pak Ahmad", password=PASSWORD, with_document=True), admin)
    h.category("Kopi dan Teh", parent="Makanan dan Minuman")
    admin_email, supplier_email = admin.email, supplier.email
    release_db()
    suffix = "js" if js_enabled else "nojs"

    login(page, supplier_email, PASSWORD)
    page.click("text=Produk saya")
    expect(page).to_have_url(re.compile(r"/usaha/produk$"))
    submit(page, page.locator("a.button", has_text="Tambah produk"))

    # A first try with a decimal price comes back with the error and what was typed.
    page.select_option("#category_id", label="Kopi dan Teh")
    page.fill("#name", "Kopi Bubuk Robusta 250 g")
    page.fill("#unit", "bungkus")
    page.fill("#unit_price", "25.000,50")
    page.fill("#tkdn", "43,25")
    page.check("text=Halal")
    response = submit(page, page.locator("main form button[type=submit]"))
    assert response.status == 422
    expect(page.locator(".error-summary")).to_contain_text("tanpa sen")
    expect(page.locator("#unit_price")).to_have_value("25.000,50")
    expect(page.locator("#tkdn")).to_have_value("43,25")
    page.screenshot(path=str(screenshot_dir / f"listing-error-{suffix}.png"), full_page=True)

    page.fill("#unit_price", "Rp 25.000")
    submit(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(re.compile(r"/usaha/produk/\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()

    photo = tmp_path / "kopi.jpg"
    Image.new("RGB", (800, 600), (120, 70, 30)).save(photo, "JPEG")
    upload = page.locator("form[action$='/foto']")
    upload.locator("#image").set_input_files(str(photo))
    response = submit(page, upload.locator("button[type=submit]"))
    assert response.status == 200
    expect(page.locator("#photos + .product-grid img")).to_have_count(1)

    submit(page, page.locator("button", has_text="Kirim untuk ditinjau"))
    expect(page.locator(".status-line .tag-wait")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"listing-edit-{suffix}.png"), full_page=True)

    # The UKPBJ approves it from the review queue.
    reviewer = new_page()
    login(reviewer, admin_email, ADMIN_PASSWORD)
    reviewer.click("text=Tinjau produk")
    submit(reviewer, reviewer.locator("a", has_text="Kopi Bubuk Robusta 250 g"))
    reviewer.screenshot(path=str(screenshot_dir / f"review-product-{suffix}.png"), full_page=True)
    submit(reviewer, reviewer.locator("button", has_text="Setujui dan tayangkan"))
    expect(reviewer).to_have_url(re.compile(r"/admin/produk$"))
    expect(reviewer.locator(".flash-success")).to_be_visible()

    page.reload()
    expect(page.locator(".status-line .tag-ok")).to_have_text("Tayang")
