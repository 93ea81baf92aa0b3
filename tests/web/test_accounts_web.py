import email
import email.policy
import time
from pathlib import Path

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import accounts
from tests.conftest import PASSWORD


def test_login_failure_rerenders_with_error_summary(client, create_user):
    user = create_user(Role.PP)
    response = client.post("/masuk", data={"email": user.email, "password": "salah-sandi"})
    assert response.status_code == 422
    assert b'class="error-summary"' in response.data
    assert user.email.encode() in response.data  # the user's input is kept


def test_invalid_login_form_is_422_and_links_errors(client):
    response = client.post("/masuk", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert b'href="#email"' in response.data and b'aria-describedby="email-error"' in response.data


def test_next_parameter_keeps_the_user_on_site(client, create_user):
    user = create_user(Role.PP)
    response = client.post("/masuk?next=/akun", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/akun"
    client.post("/keluar")
    response = client.post("/masuk?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert "evil.example" not in response.headers["Location"]


def test_protected_page_redirects_to_login(client):
    response = client.get("/akun")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_logout_ends_the_session_on_the_server(app, create_user):
    user = create_user(Role.PP)
    first, copy = app.test_client(), app.test_client()
    first.post("/masuk", data={"email": user.email, "password": PASSWORD})
    cookie = first.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copy.set_cookie(cookie.key, cookie.value)  # someone kept a copy of the cookie
    assert copy.get("/akun").status_code == 200
    first.post("/keluar")
    assert copy.get("/akun").status_code == 302


def test_deactivated_user_is_logged_out_at_once(app, create_user):
    admin, user = create_user(Role.ADMIN), create_user(Role.PP)
    pp_client, admin_client = app.test_client(), app.test_client()
    pp_client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert pp_client.get("/akun").status_code == 200
    admin_client.post("/masuk", data={"email": admin.email, "password": PASSWORD})
    response = admin_client.post(f"/admin/pengguna/{user.id}/status", data={"active": "0"})
    assert response.status_code == 303
    assert pp_client.get("/akun").status_code == 302
    assert pp_client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 422


def test_idle_timeout_ends_the_session(app, client, create_user, monkeypatch):
    user = create_user(Role.PP)
    client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert client.get("/akun").status_code == 200
    later = time.time() + app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/akun")
    assert response.status_code == 302
    assert client.get("/masuk").status_code == 200


def test_absolute_timeout_ends_an_active_session(app, client, create_user, monkeypatch):
    user = create_user(Role.PP)
    client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    start = time.time()
    step = app.config["SESSION_IDLE_TIMEOUT"].total_seconds() / 2
    total = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    now = start
    while now < start + total - step:  # busy all day, never idle
        now += step
        monkeypatch.setattr(time, "time", lambda now=now: now)
        assert client.get("/akun").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + total + 1)
    assert client.get("/akun").status_code == 302


def test_login_is_throttled_per_account_and_address(make_app, create_user):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    user = create_user(Role.PP)
    codes = [client.post("/masuk", data={"email": user.email, "password": "salah"}).status_code
             for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    # Even the right password waits now at this address: the attacker cannot keep guessing
    # (the owner elsewhere is not blocked: tests/web/test_throttling.py).
    blocked = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert b"<main" in blocked.data


def test_login_is_throttled_per_address(make_app, create_user):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="4 per 15 minutes")
    client = app.test_client()
    codes = [client.post("/masuk", data={"email": f"orang{i}@contoh.go.id", "password": "x"}).status_code
             for i in range(5)]
    assert codes[-1] == 429 and codes[:4] == [422] * 4


def test_password_change_keeps_this_session_and_ends_others(app, create_user):
    user = create_user(Role.PPK)
    here, elsewhere = app.test_client(), app.test_client()
    for c in (here, elsewhere):
        c.post("/masuk", data={"email": user.email, "password": PASSWORD})
    response = here.post("/akun/sandi", data={"current_password": PASSWORD, "password": "sandi-baru-yang-panjang",
                                               "confirm": "sandi-baru-yang-panjang"})
    assert response.status_code == 303
    assert here.get("/akun").status_code == 200
    assert elsewhere.get("/akun").status_code == 302
    assert accounts.authenticate(user.email, "sandi-baru-yang-panjang") is not None


def test_password_change_with_wrong_current_password(client, auth, create_user):
    user = create_user(Role.PP)
    auth.login(user)
    response = client.post("/akun/sandi", data={"current_password": "salah", "password": "sandi-baru-123",
                                                 "confirm": "sandi-baru-123"})
    assert response.status_code == 422
    assert b'id="current_password-error"' in response.data


def test_password_reset_by_emailed_link(app, client, create_user):
    user = create_user(Role.BENDAHARA)
    response = client.post("/lupa-sandi", data={"email": user.email})
    assert response.status_code == 303 and response.headers["Location"] == "/lupa-sandi?terkirim=1"
    outbox = sorted(Path(app.instance_path, "outbox").glob("*.eml"))
    assert len(outbox) == 1
    message = email.message_from_bytes(outbox[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == user.email
    message = message.get_content()
    link = next(line for line in message.splitlines() if "/atur-ulang-sandi/" in line).strip()
    path = link[link.index("/atur-ulang-sandi/"):]
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "sandi-baru-dari-email", "confirm": "sandi-baru-dari-email"})
    assert response.status_code == 303
    assert client.get(path).status_code == 404  # used once, gone
    db.session.expire_all()
    assert accounts.authenticate(user.email, "sandi-baru-dari-email") is not None


def test_password_reset_for_unknown_address_looks_the_same(app, client):
    response = client.post("/lupa-sandi", data={"email": "tidak.ada@contoh.go.id"})
    assert response.status_code == 303 and response.headers["Location"] == "/lupa-sandi?terkirim=1"
    sent = client.get("/lupa-sandi?terkirim=1")
    assert sent.status_code == 200 and b'name="email"' not in sent.data  # the answer, not the form
    assert not Path(app.instance_path, "outbox").exists()


def test_language_switch_to_english_and_back(client):
    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 303 and response.headers["Location"] == "/masuk"
    assert b'<html lang="en">' in client.get("/masuk").data
    client.post("/bahasa", data={"lang": "id", "next": "/"})
    assert b'<html lang="id">' in client.get("/").data


def test_language_switch_ignores_unknown_language_and_foreign_next(client):
    response = client.post("/bahasa", data={"lang": "xx", "next": "//evil.example/"})
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]
    assert b'<html lang="id">' in client.get("/").data
