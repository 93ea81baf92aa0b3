"""Journey: an attacker's wrong passwords end in a readable 429 page at the attacker's
address, while the owner, from another address, still logs in."""
from __future__ import annotations

import pytest

from pbj.models.accounts import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LIMIT = 3


@pytest.fixture
def live_server_config():
    # Behind one proxy: each browser context says where it comes from in X-Forwarded-For.
    return {"LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": f"{LIMIT} per 15 minutes", "PROXY_COUNT": 1}


def test_repeated_wrong_passwords_are_throttled(page, new_page, submit, create_user, release_db, expect):
    email = create_user(Role.PP).email
    release_db()
    page.set_extra_http_headers({"X-Forwarded-For": "198.51.100.66"})

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
    assert int(response.headers["retry-after"]) > 0
    # A readable page in the site layout, not a bare error string, saying when to come back.
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("main h1")).not_to_be_empty()
    expect(page.locator("main")).to_contain_text("429")
    expect(page.locator("main")).to_contain_text("Coba lagi setelah pukul")
    expect(page.locator("main a[href='/']")).to_be_visible()

    # Even the right password is refused at this address while the limit lasts …
    page.goto("/masuk")
    response = submit_login(page, email, PASSWORD)
    assert response.status == 429

    # … but the owner, from another address, is not locked out.
    owner = new_page()
    owner.set_extra_http_headers({"X-Forwarded-For": "203.0.113.10"})
    owner.goto("/masuk")
    response = submit_login(owner, email, PASSWORD)
    assert response.status == 200 and "/masuk" not in response.url
