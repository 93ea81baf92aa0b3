import os

import pytest
import redis

from pbj import ConfigurationError, create_app
from pbj.config import from_environment, normalise_database_url
from tests.conftest import IN_CI


def test_database_url_uses_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_environment_overrides_with_types():
    found = from_environment({"DATABASE_URL": "postgresql://h/db", "MAIL_PORT": "2525",
                              "MAIL_USE_TLS": "false", "CITY_REGION_CODE": "61.71"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db", "MAIL_PORT": 2525,
                     "MAIL_USE_TLS": False, "CITY_REGION_CODE": "61.71"}


def test_instance_config_file_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("CITY_NAME", raising=False)
    (tmp_path / "config.py").write_text("CITY_NAME = 'Kabupaten Sambas'\nSECRET_KEY = '" + "k" * 40 + "'\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production"})
    assert app.config["CITY_NAME"] == "Kabupaten Sambas"


def test_production_refuses_a_short_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "changeme"})


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="PBJ_ENV"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "staging"})


def _redis_or_skip(url: str):
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {url} in CI")
        pytest.skip(f"no Redis at {url} (set TEST_REDIS_URL)")
    return client


def test_rate_limit_counters_live_in_redis_when_configured(make_app, create_user):
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    store = _redis_or_skip(url)
    store.flushdb()
    app = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url, LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    # A second app instance sharing the Redis counters, like a second gunicorn host.
    other = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url, LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    form = {"email": "target@contoh.go.id", "password": "salah"}
    assert app.test_client().post("/masuk", data=form).status_code == 422
    assert other.test_client().post("/masuk", data=form).status_code == 422
    assert app.test_client().post("/masuk", data=form).status_code == 429
    assert any(b"login-account" in key for key in store.keys("*"))
    store.flushdb()
