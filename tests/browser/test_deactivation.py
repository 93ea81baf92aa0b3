"""Journey: an admin deactivates a user, whose very next page load is the login page."""
from __future__ import annotations

import re

import pytest

from pbj.models.accounts import Role

pytestmark = pytest.mark.browser

PASSWORD = "sandi-pengguna-uji-2024"


def test_deactivated_user_is_logged_out_at_once(page, new_page, login, submit, create_user, release_db,
                                                expect):
    officer = create_user(Role.PP, password=PASSWORD)
    admin = create_user(Role.ADMIN, password=PASSWORD)
    officer_id, officer_email, admin_email = officer.id, officer.email, admin.email
    release_db()

    # The PP works in one browser…
    login(page, officer_email, PASSWORD)
    page.goto("/akun")
    expect(page).to_have_url(re.compile(r"/akun$"))
    expect(page.locator("form[action$='/keluar']")).to_have_count(1)

    # …while an admin, in another, deactivates the account.
    admin_page = new_page()
    login(admin_page, admin_email, PASSWORD)
    admin_page.goto(f"/admin/pengguna/{officer_id}")
    submit(admin_page, admin_page.locator("form[action$='/status'] button[type=submit]"))
    expect(admin_page).to_have_url(re.compile(rf"/admin/pengguna/{officer_id}$"))
    expect(admin_page.locator(".flash-success")).to_be_visible()
    expect(admin_page.locator("form[action$='/status'] input[name=active]")).to_have_value("1")

    # The PP's next page load is the login page; the session is gone.
    page.goto("/akun")
    expect(page).to_have_url(re.compile(r"/masuk(\?|$)"))
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator("form[action$='/keluar']")).to_have_count(0)
