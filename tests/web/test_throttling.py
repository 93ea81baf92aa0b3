"""Throttled logins, password changes and reset requests, through the web.

An attacker's failures slow the attacker's address down, never the owner
elsewhere; the counts are shared by every worker (two app instances on one
database, or on one Redis, stand in for two gunicorn workers).
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.throttle import ThrottleHit
from tests.conftest import PASSWORD
from tests.live_http import free_port
from tests.redis_helpers import flushed_redis_or_skip, redis_url

ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "203.0.113.10"}


def login(client, email, password, address=ATTACKER):
    return client.post("/masuk", data={"email": email, "password": password}, environ_base=address)


def assert_throttled_page(response):
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    body = response.get_data(as_text=True)
    assert "<main" in body and 'class="skip-link"' in body
    # Plain Indonesian, with the time to come back.
    assert re.search(r"Coba lagi setelah pukul \d\d\.\d\d \(sekitar \d+ menit lagi\)", body)


def test_attacker_is_throttled_while_the_owner_logs_in_from_elsewhere(make_app, create_user):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per 15 minutes")
    user = create_user(Role.PP)
    attacker, owner = app.test_client(), app.test_client()
    assert [login(attacker, user.email, "salah").status_code for _ in range(3)] == [422] * 3
    assert_throttled_page(login(attacker, user.email, "tebakan-lain"))
    # Even the right password waits at the attacker's address …
    assert login(attacker, user.email, PASSWORD).status_code == 429
    # … while the owner, elsewhere, is let in.
    assert login(owner, user.email, PASSWORD, OWNER).status_code == 303
    assert owner.get("/akun").status_code == 200


def test_per_address_limit_spans_accounts(make_app, create_user):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="4 per 15 minutes")
    user = create_user(Role.PP)
    client = app.test_client()
    codes = [login(client, f"orang{i}@contoh.go.id", "x").status_code for i in range(4)]
    assert codes == [422] * 4
    assert_throttled_page(login(client, "orang-baru@contoh.go.id", "x"))
    assert login(client, user.email, PASSWORD).status_code == 429
    assert login(app.test_client(), user.email, PASSWORD, OWNER).status_code == 303


def test_client_address_comes_from_the_proxy(make_app, create_user):
    app = make_app(PROXY_COUNT=1, LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="2 per 15 minutes")
    user = create_user(Role.PP)
    client = app.test_client()

    def via_proxy(password, forwarded_for):
        return client.post("/masuk", data={"email": user.email, "password": password},
                           headers={"X-Forwarded-For": forwarded_for})

    assert [via_proxy("salah", "198.51.100.66").status_code for _ in range(2)] == [422, 422]
    assert via_proxy(PASSWORD, "198.51.100.66").status_code == 429
    assert via_proxy(PASSWORD, "203.0.113.10").status_code == 303


def test_a_successful_login_clears_the_pair(make_app, create_user):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per 15 minutes")
    user = create_user(Role.PP)
    client = app.test_client()
    assert [login(client, user.email, "salah").status_code for _ in range(2)] == [422, 422]
    assert login(client, user.email, PASSWORD).status_code == 303
    client.post("/keluar", environ_base=ATTACKER)
    # Three fresh tries: the two before the success no longer count.
    assert [login(client, user.email, "salah").status_code for _ in range(3)] == [422] * 3
    assert login(client, user.email, "salah").status_code == 429


def test_wrong_current_passwords_are_throttled_per_account(make_app, create_user):
    app = make_app(PASSWORD_CHANGE_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    user = create_user(Role.PP)
    new = "sandi-baru-yang-panjang-sekali"
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.email, PASSWORD)
    login(elsewhere, user.email, PASSWORD, OWNER)

    def change(client, current):
        return client.post("/akun/sandi", data={"current_password": current, "password": new, "confirm": new})

    assert [change(here, "salah").status_code for _ in range(3)] == [422] * 3
    assert_throttled_page(change(here, "tebakan"))
    # Per account: another session of the same account waits too, right password or not.
    assert change(elsewhere, PASSWORD).status_code == 429
    assert login(app.test_client(), user.email, PASSWORD, {"REMOTE_ADDR": "192.0.2.1"}).status_code == 303


def test_a_changed_password_clears_the_count(make_app, create_user):
    app = make_app(PASSWORD_CHANGE_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    user = create_user(Role.PP)
    client = app.test_client()
    login(client, user.email, PASSWORD)
    first, second = "sandi-baru-yang-panjang-sekali", "sandi-kedua-yang-juga-panjang"

    def change(current, new):
        return client.post("/akun/sandi", data={"current_password": current, "password": new, "confirm": new})

    assert change("salah", first).status_code == 422
    assert change(PASSWORD, first).status_code == 303
    assert change("salah", second).status_code == 422  # 1 of 2 again, not 2 of 2
    assert change(first, second).status_code == 303


def test_reset_requests_are_limited_per_address(make_app, create_user):
    app = make_app(PASSWORD_RESET_LIMIT_PER_ADDRESS="2 per 15 minutes")
    user = create_user(Role.PP)
    client = app.test_client()

    def forgot(address):
        return client.post("/lupa-sandi", data={"email": user.email}, environ_base=address)

    assert [forgot(ATTACKER).status_code for _ in range(2)] == [303, 303]
    assert_throttled_page(forgot(ATTACKER))
    assert forgot(OWNER).status_code == 303


# -- Shared by every worker ------------------------------------------------------------------------

def _two_workers(make_app, **config):
    limits = {"LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "4 per 15 minutes", **config}
    return make_app(**limits), make_app(**limits)


def _failures_add_up_over_both(first, second, email):
    workers = [first.test_client(), second.test_client()]
    codes = [login(workers[i % 2], email, "salah").status_code for i in range(4)]
    assert codes == [422] * 4
    assert login(workers[0], email, PASSWORD).status_code == 429
    assert login(workers[1], email, PASSWORD).status_code == 429
    assert login(workers[1], email, PASSWORD, OWNER).status_code == 303


def test_two_workers_on_one_database_share_the_count(make_app, create_user):
    first, second = _two_workers(make_app)
    _failures_add_up_over_both(first, second, create_user(Role.PP).email)


def test_two_workers_on_one_redis_share_the_count(make_app, create_user):
    store = flushed_redis_or_skip()
    url = redis_url()
    first, second = _two_workers(make_app, REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    _failures_add_up_over_both(first, second, create_user(Role.PP).email)
    assert any(key.startswith(b"pbj:throttle:login-pair:") for key in store.keys("*"))
    store.flushdb()


def test_with_redis_unreachable_the_count_moves_to_the_database_and_pages_still_answer(make_app, create_user,
                                                                                       monkeypatch):
    down = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    first, second = _two_workers(make_app, REDIS_URL=down, RATELIMIT_STORAGE_URI=down)
    warned = []  # not caplog: a migration run earlier in the suite may have disabled the app's logger
    monkeypatch.setattr(first.logger, "warning", lambda message, *args: warned.append(message % args))
    email = create_user(Role.PP).email
    _failures_add_up_over_both(first, second, email)  # still shared: in throttle_hits
    db.session.rollback()  # the test's own read began before the logins
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleHit)) >= 4
    assert any(line.startswith("Redis unreachable") for line in warned)
    # The registration limit (Flask-Limiter) falls back to memory: the form still answers.
    assert first.test_client().get("/daftar").status_code == 200
    refused = first.test_client().post("/daftar", data={"business_name": ""})
    assert refused.status_code == 422


@pytest.mark.parametrize("limit", ["LOGIN_LIMIT_PER_ADDRESS", "PASSWORD_RESET_LIMIT_PER_ADDRESS"])
def test_per_address_limits_are_shared_too(make_app, create_user, limit):
    first, second = make_app(**{limit: "2 per 15 minutes"}), make_app(**{limit: "2 per 15 minutes"})
    email = create_user(Role.PP).email
    path, data = (("/masuk", {"email": email, "password": "salah"}) if limit == "LOGIN_LIMIT_PER_ADDRESS"
                  else ("/lupa-sandi", {"email": email}))
    codes = [app.test_client().post(path, data=data, environ_base=ATTACKER).status_code
             for app in (first, second, first)]
    assert codes[-1] == 429 and 429 not in codes[:2]
