"""When the database cannot be reached (issue 16): a readable 503 page in the layout,
`/healthz` naming the part that is down, and the app serving again by itself once the
database is back. PostgreSQL goes away behind a relay the test cuts; SQLite is locked
by another writer past the busy timeout."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from pbj.models.accounts import Role
from tests.conftest import PASSWORD, USE_POSTGRES
from tests.tcp_proxy import Relay

UNAVAILABLE = "Sedang tidak tersedia"


def _is_the_503_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert UNAVAILABLE in page and "Tidak ada yang tersimpan" in page
    assert '<header' in page and 'href="/katalog"' in page  # in the site's layout
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL: make test-postgres")
def test_postgresql_gone_gives_503_and_the_app_comes_back_by_itself(make_app, database_uri, create_user):
    url = sa.engine.make_url(database_uri)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    relay.start()
    app = make_app(SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=relay.port)
                   .render_as_string(hide_password=False))
    user = create_user(Role.PP)
    client = app.test_client()
    try:
        assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
        assert client.get("/meja").status_code == 200

        relay.cut()  # connections dropped, new ones refused
        _is_the_503_page(client.get("/meja"))
        _is_the_503_page(client.get("/katalog"))
        page = client.get("/meja").get_data(as_text=True)
        assert 'href="/masuk"' in page  # the layout without the user it could not load
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json["status"] == "down" and health.json["database"] == "unreachable"
        refused = client.post("/keluar", data={})
        assert refused.status_code == 503

        relay.start()  # the database is back: no restart of the app
        assert client.get("/healthz").json["status"] == "ok"
        assert client.get("/meja").status_code == 200  # still signed in
    finally:
        relay.cut()


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite's file lock")
def test_sqlite_locked_past_the_busy_timeout_gives_503_then_serves(make_app, database_uri, create_user):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200)
    user = create_user(Role.PP)
    email = user.email
    holder = sqlite3.connect(database_uri.removeprefix("sqlite:///"), isolation_level=None)
    client = app.test_client()
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
        _is_the_503_page(client.post("/masuk", data={"email": email, "password": PASSWORD}))
        assert client.get("/katalog").status_code == 200  # readers go on (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/masuk", data={"email": email, "password": PASSWORD}).status_code == 303


def test_healthz_names_each_part(app, make_app, tmp_path):
    from tests.redis_helpers import flushed_redis_or_skip, redis_url

    plain = make_app().test_client().get("/healthz")
    assert plain.status_code == 200
    assert plain.json | {"version": None} == {"status": "ok", "database": "ok", "redis": "not used",
                                              "uploads": "ok", "version": None}

    flushed_redis_or_skip()
    with_redis = make_app(REDIS_URL=redis_url()).test_client().get("/healthz")
    assert with_redis.status_code == 200 and with_redis.json["redis"] == "ok"

    redis_down = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/healthz")
    assert redis_down.status_code == 200  # the app serves without Redis (docs/DEPLOY.md)
    assert redis_down.json["status"] == "degraded" and redis_down.json["redis"] == "unreachable"

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the upload folder should be")
    no_uploads = make_app(UPLOAD_FOLDER=str(blocked)).test_client().get("/healthz")
    assert no_uploads.status_code == 200
    assert no_uploads.json["status"] == "degraded" and no_uploads.json["uploads"] == "not writable"


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite reports mistakes in SQL as OperationalError")
def test_a_mistake_in_sql_is_an_error_not_an_unavailable_database(app, make_app):
    served = make_app(PROPAGATE_UNHANDLED=False)

    @served.get("/_broken")
    def broken():
        from pbj.extensions import db

        db.session.execute(sa.text("SELECT no_such_column FROM products"))
        return "unreachable"

    answer = served.test_client().get("/_broken")
    assert answer.status_code == 500 and UNAVAILABLE not in answer.get_data(as_text=True)
