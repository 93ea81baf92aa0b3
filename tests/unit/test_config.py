import pytest

from pbj import ConfigurationError, create_app
from pbj.config import from_environment, normalise_database_url
from tests.redis_helpers import flushed_redis_or_skip, redis_url


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
    (tmp_path / "config.py").write_text("CITY_NAME = 'Kabupaten Sambas'\nSECRET_KEY = '" + "k" * 40 + "'\n"
                                        "PUBLIC_BASE_URL = 'https://ekatalog.sambas.go.id'\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production"})
    assert app.config["CITY_NAME"] == "Kabupaten Sambas"


def test_production_refuses_a_short_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "production", "SECRET_KEY": "changeme"})


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="PBJ_ENV"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PBJ_ENV": "staging"})


def test_throttle_counts_live_in_redis_when_configured(app, make_app):
    store = flushed_redis_or_skip()
    url = redis_url()
    limit = {"LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "2 per minute"}
    first = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url, **limit)
    # A second app instance sharing the Redis counters, like a second gunicorn host.
    second = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI=url, **limit)
    form = {"email": "target@contoh.go.id", "password": "salah"}
    assert first.test_client().post("/masuk", data=form).status_code == 422
    assert second.test_client().post("/masuk", data=form).status_code == 422
    assert first.test_client().post("/masuk", data=form).status_code == 429
    assert any(key.startswith(b"pbj:throttle:login-pair:") for key in store.keys("*"))
    store.flushdb()
