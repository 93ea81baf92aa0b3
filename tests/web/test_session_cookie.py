"""The session cookie's name and attributes, read from real Set-Cookie headers."""
from __future__ import annotations

import warnings

import pytest

from pbj import ConfigurationError, create_app
from pbj.models.accounts import Role
from tests.conftest import PASSWORD


def _login_cookie(app, create_user) -> str:
    with app.app_context():
        user = create_user(Role.PP)
        response = app.test_client().post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_production_session_cookie_has_the_host_prefix(make_app, create_user):
    cookie = _login_cookie(make_app(PBJ_ENV="production"), create_user)
    name, _, attributes = cookie.partition("=")
    attributes = [part.strip() for part in attributes.split(";")[1:]]
    assert name == "__Host-pbj_session"
    # What browsers demand of a __Host- cookie, or they drop it: Secure, Path=/, no Domain.
    assert "Secure" in attributes and "Path=/" in attributes
    assert not any(part.lower().startswith("domain=") for part in attributes)
    assert "HttpOnly" in attributes and "SameSite=Lax" in attributes


def test_development_session_cookie_works_over_plain_http(make_app, create_user):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        development = make_app(PBJ_ENV="development")
    cookie = _login_cookie(development, create_user)
    assert cookie.startswith("pbj_session=")
    assert "Secure" not in cookie and "HttpOnly" in cookie


def test_a_host_prefixed_cookie_with_a_domain_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="__Host-"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "k" * 40,
                    "PUBLIC_BASE_URL": "https://ekatalog.contoh.go.id",
                    "SESSION_COOKIE_DOMAIN": "contoh.go.id"})
