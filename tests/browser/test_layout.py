"""Layout: key pages at a cheap phone's 320 px and an office PC's 1280 px.

Screenshots go to test-artifacts/screenshots/ (git-ignored) for a person to
look at. The test also measures that nothing makes a page scroll sideways at
320 px. Playwright's `evaluate` runs over the DevTools protocol, so the
measurement works in the no-JavaScript context too (page scripts are off,
ours are not).
"""
from __future__ import annotations

import pytest

from pbj.models.accounts import Role

pytestmark = [pytest.mark.browser, pytest.mark.markup]

PASSWORD = "sandi-tata-letak-2024"
WIDTHS = (320, 1280)


def test_key_pages_fit_narrow_and_wide_screens(page, new_page, login, submit, js_enabled, create_user,
                                               create_supplier, release_db, screenshot_dir):
    supplier = create_supplier("Usaha Dagang Kue Bingke Ibu Marlina Singkawang",
                               password=PASSWORD, with_document=True)
    admin = create_user(Role.ADMIN, password=PASSWORD)
    from tests.catalogue_helpers import category

    for sub in ("Kue Kering dan Kue Basah Tradisional", "Nasi Kotak dan Prasmanan Rapat"):
        category(sub, parent="Makanan dan Minuman Olahan UMKM")
    category_id = category("Kue Kering dan Kue Basah Tradisional").id
    supplier_email, supplier_org_id, admin_email = supplier.email, supplier.org_id, admin.email
    release_db()
    mode = "js" if js_enabled else "nojs"
    too_wide = []

    def check(tab, name: str, open_view) -> None:
        tab.set_viewport_size({"width": WIDTHS[0], "height": 900})
        open_view()
        for width in WIDTHS:  # the page reflows on resize: no need to load it again
            tab.set_viewport_size({"width": width, "height": 900})
            tab.screenshot(path=str(screenshot_dir / f"{name}-{width}px-{mode}.png"), full_page=True)
            scroll_width = tab.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append(f"{name} at {width}px is {scroll_width}px wide")

    def register_with_errors():
        page.goto("/daftar")
        assert submit(page, page.locator("main form button[type=submit]")).status == 422

    # Anonymous first, then the same tab logs in as the supplier.
    check(page, "register", lambda: page.goto("/daftar"))
    check(page, "register-errors", register_with_errors)
    login(page, supplier_email, PASSWORD)
    check(page, "usaha", lambda: page.goto("/usaha"))

    admin_page = new_page()
    login(admin_page, admin_email, PASSWORD)
    check(admin_page, "admin-suppliers", lambda: admin_page.goto("/admin/penyedia"))
    check(admin_page, "admin-supplier", lambda: admin_page.goto(f"/admin/penyedia/{supplier_org_id}"))
    check(admin_page, "admin-categories", lambda: admin_page.goto("/admin/kategori"))
    check(admin_page, "admin-category", lambda: admin_page.goto(f"/admin/kategori/{category_id}"))

    assert not too_wide, f"pages that scroll sideways: {too_wide}"
