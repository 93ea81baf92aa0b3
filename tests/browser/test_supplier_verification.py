"""Journey: a supplier registers, uploads a document, the UKPBJ verifies it,
and the supplier sees the verified status — with JavaScript on and off."""
from __future__ import annotations

import re

import pytest

from pbj.models.accounts import Role

pytestmark = pytest.mark.browser

PASSWORD = "sandi-penyedia-uji-2024"
ADMIN_PASSWORD = "sandi-admin-ukpbj-2024"


def fill_registration(page, *, email: str, business_name: str = "Kerajinan Tenun Sambas Jaya") -> None:
    page.fill("#business_name", business_name)
    page.fill("#nib", "9120001234567")
    page.fill("#npwp", "01.234.567.8-901.000")  # 15 digits, written the usual way
    page.select_option("#scale", "kecil")
    page.check("#has_pp55_certificate")
    page.fill("#address", "Jl. Diponegoro No. 17")
    page.fill("#kecamatan", "Singkawang Tengah")
    page.fill("#region_name", "Kota Singkawang")
    page.fill("#region_code", "61.72")
    page.fill("#phone", "0562 631234")
    page.fill("#contact_name", "Siti Rahmawati")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)


def test_supplier_registers_and_admin_verifies(page, new_page, login, submit, create_user, release_db, expect,
                                                tmp_path):
    admin = create_user(Role.ADMIN, password=ADMIN_PASSWORD)
    admin_email = admin.email
    release_db()

    # The supplier registers and lands on the business page, not yet verified.
    page.goto("/daftar")
    fill_registration(page, email="siti@tenunsambas.id")
    submit(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(re.compile(r"/usaha$"))
    expect(page.locator(".status-box .tag-wait")).to_be_visible()
    expect(page.locator(".flash-success")).to_be_visible()

    # It uploads its NIB as a PDF; the status stays "waiting", now with a document.
    pdf = tmp_path / "nib-tenun.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    upload = page.locator("form[action$='/usaha/dokumen']")
    upload.locator("#kind").select_option("nib")
    upload.locator("#file").set_input_files(str(pdf))
    response = submit(page, upload.locator("button[type=submit]"))
    assert response.status == 200
    expect(page).to_have_url(re.compile(r"/usaha$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    expect(page.locator("table.table")).to_contain_text("nib-tenun.pdf")
    expect(page.locator(".status-box .tag-wait")).to_be_visible()
    expect(page.locator(".status-box .tag-ok")).to_have_count(0)

    # An admin, in another browser, finds it in the queue and verifies it.
    admin_page = new_page()
    login(admin_page, admin_email, ADMIN_PASSWORD)
    admin_page.goto("/admin/penyedia")
    admin_page.get_by_role("link", name="Kerajinan Tenun Sambas Jaya").click()
    expect(admin_page).to_have_url(re.compile(r"/admin/penyedia/\d+$"))
    expect(admin_page.locator(".status-line .tag-wait")).to_be_visible()
    # The uploaded file opens for the admin.
    document = admin_page.request.get(admin_page.locator("table.table a").first.get_attribute("href"))
    assert document.status == 200
    assert document.body().startswith(b"%PDF-")
    admin_page.select_option("#verify-scale", "kecil")  # the size the NIB states
    submit(admin_page, admin_page.locator("form[action$='/verifikasi'] button[type=submit]"))
    expect(admin_page.locator(".status-line .tag-ok")).to_be_visible()
    expect(admin_page.locator("form[action$='/verifikasi']")).to_have_count(0)

    # The supplier reloads its page and sees the verified status.
    page.goto("/usaha")
    expect(page.locator(".status-box .tag-ok")).to_be_visible()
    expect(page.locator(".status-box .tag-wait")).to_have_count(0)
