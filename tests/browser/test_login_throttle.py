"""Journey: repeated wrong passwords for one account end in a readable 429 page."""
from __future__ import annotations

import pytest

from pbj.models.accounts import Role

pytestmark = pytest.mark.browser

LIMIT = 3


@pytest.fixture
def live_server_config():
    return {"LOGIN_LIMIT_PER_ACCOUNT": f"{LIMIT} per 15 minutes"}


def test_repeated_wrong_passwords_are_throttled(page, submit, create_user, release_db, expect):
    email = create_user(Role.PP).email
    release_db()

    def submit_login(page, email: str, password: str):
        page.fill("#email", email)
        page.fill("#password", password)
        return submit(page, page.locator("main form button[type=submit]"))

    page.goto("/masuk")
    for _ in range(LIMIT):
        response = submit_login(page, email, "salah-sandi-123")
        assert response.status == 422
        # The form comes back with the error summary, ready for another try.
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#password")).to_have_value("")

    response = submit_login(page, email, "salah-sandi-456")
    assert response.status == 429
    # A readable page in the site layout, not a bare error string.
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("main h1")).not_to_be_empty()
    expect(page.locator("main")).to_contain_text("429")
    expect(page.locator("main a[href='/']")).to_be_visible()

    # Even the right password is refused while the limit lasts.
    page.goto("/masuk")
    response = submit_login(page, email, "kata-sandi-uji-123")
    assert response.status == 429
