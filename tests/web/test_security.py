"""Security baseline: headers, cookies, CSRF (forms and htmx), no state change on
GET, refusing to start without a secret, the pinned htmx file, error pages."""
from __future__ import annotations

import re
import warnings

import pytest
import sqlalchemy as sa

from pbj import ConfigurationError, create_app
from pbj.extensions import db
from pbj.models.accounts import Organisation, Role, User
from pbj.models.audit import AuditEntry
from tests.conftest import BASE_CONFIG, PASSWORD

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HTMX_KEY = re.compile(r'<meta name="htmx-key" content="([^"]+)"')


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def csrf_token(client, path: str = "/") -> str:
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def login_with_csrf(client, user) -> None:
    token = csrf_token(client, "/masuk")
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def assert_in_layout(response, status: int) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert 'class="skip-link"' in body
    assert "<main" in body
    assert '<html lang="' in body
    assert "Traceback" not in body
    assert f"{status}" in body  # the error code is shown
    return body


# -- Headers ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/masuk", "/daftar", "/tidak-ada", "/healthz",
                                  "/static/vendor/htmx.min.js"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    directives = csp_directives(csp)
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in (
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in response.headers  # testing, not production


@pytest.mark.parametrize("path", ["/", "/masuk", "/daftar", "/lupa-sandi"])
def test_pages_need_no_inline_script_or_style(client, path):
    """The CSP forbids inline code; pages must not depend on it."""
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<script\b[^>]*>[^<]+</script>", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r'\sstyle="', html)
    assert not re.search(r"\son[a-z]+=", html)


def test_hsts_only_in_production(make_app):
    production = make_app(PBJ_ENV="production")
    with production.app_context():
        response = production.test_client().get("/")
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600
    for env in ("testing", "development"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = make_app(PBJ_ENV=env)
        with other.app_context():
            assert "Strict-Transport-Security" not in other.test_client().get("/").headers


def test_pages_behind_login_are_not_cached(client, auth, create_user):
    auth.login(create_user(Role.PP))
    assert "no-store" in client.get("/akun").headers["Cache-Control"]


# -- Session cookie -------------------------------------------------------------------

def _session_cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def test_session_cookie_flags(app, client, auth, create_user):
    response = auth.login(create_user(Role.PP))
    cookie = _session_cookie(response, app.config["SESSION_COOKIE_NAME"])
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in testing and development


def test_session_cookie_is_secure_in_production(make_app, create_user):
    production = make_app(PBJ_ENV="production")
    with production.app_context():
        user = create_user(Role.PP)
        response = production.test_client().post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    cookie = _session_cookie(response, production.config["SESSION_COOKIE_NAME"])
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_starts_a_new_session(make_app, create_user):
    """No session fixation: the CSRF token of the anonymous session is not kept."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = create_user(Role.PP)
        before = csrf_token(client, "/masuk")
        client.post("/masuk", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
        after = csrf_token(client, "/akun")
    assert before != after


# -- CSRF ---------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(app, make_app):
    """An app with CSRF protection on; its context is the current one (above `app`'s)."""
    protected = make_app(WTF_CSRF_ENABLED=True)
    with protected.app_context():
        yield protected


def test_login_without_csrf_token_is_400(csrf_app, create_user):
    user = create_user(Role.PP)
    client = csrf_app.test_client()
    entries = count(AuditEntry)
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert_in_layout(response, 400)
    assert count(AuditEntry) == entries  # no login attempt was even made
    assert client.get("/akun").status_code == 302  # not logged in


def test_logout_without_csrf_token_is_400(csrf_app, create_user):
    user = create_user(Role.PP)
    client = csrf_app.test_client()
    login_with_csrf(client, user)
    version = db.session.get(User, user.id).session_version
    assert_in_layout(client.post("/keluar"), 400)
    assert client.get("/akun").status_code == 200  # still logged in
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == version


def test_language_switch_without_csrf_token_is_400(csrf_app):
    client = csrf_app.test_client()
    assert_in_layout(client.post("/bahasa", data={"lang": "en", "next": "/"}), 400)
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_admin_post_without_csrf_token_is_400(csrf_app, create_user):
    client = csrf_app.test_client()
    login_with_csrf(client, create_user(Role.ADMIN))
    orgs = count(Organisation)
    response = client.post("/admin/opd", data={"name": "Dinas Siluman", "code": "SILUMAN", "kind": "opd"})
    assert_in_layout(response, 400)
    assert count(Organisation) == orgs


def test_token_of_another_session_is_refused(csrf_app, create_user):
    attacker = csrf_app.test_client()
    stolen = csrf_token(attacker, "/")
    victim = csrf_app.test_client()
    login_with_csrf(victim, create_user(Role.ADMIN))
    orgs = count(Organisation)
    response = victim.post("/admin/opd", data={"name": "Dinas Siluman", "code": "SILUMAN", "kind": "opd",
                                               "csrf_token": stolen})
    assert response.status_code == 400
    assert count(Organisation) == orgs


def htmx_key(client, path: str = "/") -> str:
    match = HTMX_KEY.search(client.get(path).get_data(as_text=True))
    assert match, "no htmx element key on the page"
    return match.group(1)


def test_htmx_post_with_token_and_element_key_is_accepted(csrf_app, create_user):
    client = csrf_app.test_client()
    login_with_csrf(client, create_user(Role.ADMIN))
    token, key = csrf_token(client, "/admin/opd"), htmx_key(client, "/admin/opd")
    orgs = count(Organisation)
    response = client.post("/admin/opd", data={"name": "Dinas Baru", "code": "DBARU", "kind": "opd"},
                           headers={"X-CSRFToken": token, "X-Htmx-Key": key, "HX-Request": "true"})
    assert response.status_code == 303
    assert count(Organisation) == orgs + 1
    response = client.post("/bahasa", data={"lang": "en", "next": "/"},
                           headers={"X-CSRFToken": token, "X-Htmx-Key": key, "HX-Request": "true"})
    assert response.status_code == 303
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("sent_key", [None, "", "0123456789abcdef0123456789abcdef", "other-session"])
def test_htmx_post_without_this_sessions_element_key_is_refused(csrf_app, create_user, sent_key):
    """What injected markup inside a real form would send if the guard script did not run:
    the form's valid CSRF token, but not the key only our templates write."""
    client = csrf_app.test_client()
    login_with_csrf(client, create_user(Role.ADMIN))
    token = csrf_token(client, "/admin/opd")
    if sent_key == "other-session":
        sent_key = htmx_key(csrf_app.test_client(), "/")
    headers = {"HX-Request": "true"} if sent_key is None else {"HX-Request": "true", "X-Htmx-Key": sent_key}
    orgs = count(Organisation)
    response = client.post("/admin/opd", data={"name": "Dinas Siluman", "code": "SILUMAN", "kind": "opd",
                                               "csrf_token": token}, headers=headers)
    assert_in_layout(response, 400)
    assert "did not come from a page of this site" in response.get_data(as_text=True) or \
        "tidak berasal dari halaman situs ini" in response.get_data(as_text=True)
    assert count(Organisation) == orgs


def test_element_key_is_stable_in_a_session_and_differs_between_sessions(csrf_app):
    one, other = csrf_app.test_client(), csrf_app.test_client()
    assert htmx_key(one, "/") == htmx_key(one, "/katalog")
    assert htmx_key(one, "/") != htmx_key(other, "/")


def test_every_htmx_element_carries_the_element_key(csrf_app, create_user, create_supplier):
    """The guard script cancels requests of unmarked elements: a template that forgets
    the mark would silently lose its htmx behaviour."""
    from tests import catalogue_helpers as h

    admin = create_user(Role.ADMIN)
    buyer = create_user(Role.PP)
    h.product(create_supplier(), admin, "Kopi Bubuk Robusta")
    db.session.commit()
    pages = {None: ["/katalog", "/"], admin: ["/admin/penyedia"], buyer: ["/katalog"]}
    element = re.compile(r"<[^>]*\shx-(?:get|post|put|patch|delete)=[^>]*>")
    seen = 0
    for user, paths in pages.items():
        client = csrf_app.test_client()
        if user is not None:
            login_with_csrf(client, user)
        for path in paths:
            body = client.get(path).get_data(as_text=True)
            key = HTMX_KEY.search(body).group(1)
            for tag in element.findall(body):
                seen += 1
                assert f'data-hx-key="{key}"' in tag, f"{path}: {tag}"
    assert seen >= 6  # search form, filters' pager, supplier list, catalogue cards' cart buttons


def test_form_post_with_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client, "/")
    assert client.post("/bahasa", data={"lang": "en", "next": "/", "csrf_token": token}).status_code == 303


# -- No state change on GET ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/keluar", "/bahasa", "/akun/sandi", "/usaha/dokumen",
                                  "/admin/penyedia/1/verifikasi", "/admin/pengguna/1/status"])
def test_post_only_routes_change_nothing_on_get(client, auth, create_user, path):
    user = create_user(Role.ADMIN)
    auth.login(user)
    version = db.session.get(User, user.id).session_version
    # A GET leads to the form's page (tests/web/test_post_addresses.py); other methods get 405.
    response = client.get(path)
    assert response.status_code == 303 and path.startswith(response.headers["Location"])
    assert_in_layout(client.put(path), 405)
    assert client.get("/akun").status_code == 200  # GET /keluar did not log out
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == version


# -- Start-up configuration ---------------------------------------------------------------------

def _config(database_uri, tmp_path, **overrides) -> dict:
    config = {k: v for k, v in BASE_CONFIG.items() if k != "SECRET_KEY"}
    config.update(SQLALCHEMY_DATABASE_URI=database_uri, INSTANCE_PATH=str(tmp_path / "startup"))
    config.update(overrides)
    return config


@pytest.mark.parametrize("secret", [None, "", "changeme", "kurang-panjang"])
def test_production_refuses_to_start_without_secret_key(database_uri, tmp_path, monkeypatch, secret):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = _config(database_uri, tmp_path, PBJ_ENV="production")
    if secret is not None:
        config["SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_production_takes_secret_key_from_environment(database_uri, tmp_path, monkeypatch):
    secret = "k" * 48
    monkeypatch.setenv("SECRET_KEY", secret)
    app = create_app(_config(database_uri, tmp_path, PBJ_ENV="production"))
    assert app.config["SECRET_KEY"] == secret
    with app.app_context():
        db.engine.dispose()


def test_development_without_secret_key_warns_and_uses_a_random_one(database_uri, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.warns(UserWarning, match="SECRET_KEY"):
        app = create_app(_config(database_uri, tmp_path, PBJ_ENV="development"))
    assert len(app.config["SECRET_KEY"]) >= 32
    with app.app_context():
        db.engine.dispose()


# -- The htmx file ------------------------------------------------------------------------------

def test_htmx_is_served_with_long_cache_and_javascript_type(client):
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.cache_control.max_age >= 365 * 24 * 3600
    assert "htmx" in response.get_data(as_text=True)[:5000]
    response.close()


def test_pages_load_htmx_with_a_version_in_the_url(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<script src="/static/vendor/htmx\.min\.js\?v=[^"]+" defer></script>', html)


# -- Error pages -----------------------------------------------------------------------------------

def test_error_pages_render_in_the_layout(app, client, auth, create_user):
    assert_in_layout(client.get("/tidak-ada"), 404)
    assert_in_layout(client.put("/keluar"), 405)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert_in_layout(client.post("/masuk", data={"email": "a@contoh.id", "password": big}), 413)
    auth.login(create_user(Role.PP))
    assert_in_layout(client.get("/admin/penyedia"), 403)


def test_throttled_login_gives_a_readable_429(app, client, create_user):
    user = create_user(Role.PP)
    statuses = [client.post("/masuk", data={"email": user.email, "password": "salah-sandi"}).status_code
                for _ in range(5)]
    assert statuses == [422] * 5
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert_in_layout(response, 429)
    assert client.get("/akun").status_code == 302  # the right password did not get through


def test_unexpected_exception_gives_a_500_page_without_traceback(make_app):
    app = make_app()

    @app.get("/meledak")
    def explode():
        raise RuntimeError("rahasia-internal: password=hunter2")

    with app.app_context():
        response = app.test_client().get("/meledak")
    body = assert_in_layout(response, 500)
    assert "rahasia-internal" not in body
    assert "hunter2" not in body
    assert "RuntimeError" not in body
    assert "File &#34;" not in body and 'File "' not in body


def test_unexpected_exception_as_json_has_no_detail(make_app):
    app = make_app()

    @app.get("/meledak")
    def explode():
        raise RuntimeError("rahasia-internal")

    with app.app_context():
        response = app.test_client().get("/meledak", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["error"] == 500
    assert "rahasia-internal" not in response.get_data(as_text=True)
