"""Fixtures: a fresh app per test on a migrated database, factories, login helper.

SQLite (default): migrations run once into a template file; each test gets a copy.
PostgreSQL (PBJ_TEST_DB=postgresql and TEST_DATABASE_URL): migrations run once;
each test starts from truncated tables.
"""
from __future__ import annotations

import itertools
import os
import shutil

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from pbj import create_app
from pbj.database import read_only
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.suppliers import BusinessScale, DocumentKind
from pbj.services import accounts, suppliers

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
USE_POSTGRES = os.environ.get("PBJ_TEST_DB") == "postgresql"
PASSWORD = "kata-sandi-uji-123"

BASE_CONFIG = {
    "PBJ_ENV": "testing",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
    "WTF_CSRF_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST_KIB": 1024,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": "localhost",
    "PUBLIC_BASE_URL": "http://localhost",
}


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.exit("PBJ_TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=2)
    from pbj.config import normalise_database_url

    return normalise_database_url(url)


def _migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Path of a migrated SQLite file, or the PostgreSQL URL after migrating it."""
    if USE_POSTGRES:
        url = _postgres_url()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_PATH": str(tmp_path_factory.mktemp("pg-instance"))})
        _migrate(app)
        return url
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(folder)})
    _migrate(app)
    with app.app_context():
        db.engine.dispose()  # the last connection to close folds the WAL into the file
    return path


@pytest.fixture
def database_uri(database_template, tmp_path):
    if USE_POSTGRES:
        engine = sa.create_engine(database_template)
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
            if tables:
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return database_template
    target = tmp_path / "test.sqlite3"
    shutil.copy(database_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def make_app(database_uri, tmp_path):
    """Build an app on this test's database; extra config overrides the defaults."""
    apps = []

    def factory(**overrides):
        config = {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                  "INSTANCE_PATH": str(tmp_path / "instance"), **overrides}
        app = create_app(config)
        app.test_client_class = FreshRequestClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class FreshRequestClient(FlaskClient):
    """Test client for an app whose context the test holds open.

    Requests then share the test's app context, so `g` would carry one
    request's caches (logged-in user, locale, rate-limit state) into the
    next; each request starts with an empty `g`, as in production.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(make_app):
    app = make_app()
    # The test's own reads begin deferred, so a test looking at data never
    # holds the SQLite write lock that a live server or a second app needs.
    with app.app_context(), read_only():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def pinned_clock(monkeypatch):
    """`pinned_clock(datetime(2026, 11, 20, 1, 0))` stops pbj.clock at that naive-UTC moment.

    Views, commands, model defaults and `city_today()` all see it; call again to move time.
    """
    from datetime import timezone

    from pbj import clock

    def pin(moment_utc):
        monkeypatch.setattr(clock, "_system_now", lambda: moment_utc.replace(tzinfo=timezone.utc))
        return moment_utc

    return pin


_counter = itertools.count(1)


@pytest.fixture
def create_org(app):
    def factory(kind: OrgKind = OrgKind.OPD, name: str | None = None, code: str | None = None):
        n = next(_counter)
        org = accounts.create_organisation(None, kind, name or f"Dinas Uji {n}",
                                           code if code is not None else (f"OPD{n}" if kind is OrgKind.OPD else None))
        db.session.commit()
        return org

    return factory


@pytest.fixture
def create_supplier(app):
    def factory(name: str | None = None, *, region_code: str = "61.72", scale=BusinessScale.MIKRO,
                email: str | None = None, password: str = PASSWORD, with_document: bool = False) -> User:
        n = next(_counter)
        user = suppliers.register_supplier(suppliers.Registration(
            business_name=name or f"UMKM Uji {n}", nib=f"{n:013d}", npwp=f"{n:016d}", scale=scale,
            is_cooperative=False, is_pkp=False, has_pp55_certificate=True,
            address=f"Jl. Niaga No. {n}", kecamatan="Singkawang Barat", region_code=region_code,
            region_name="Kota Singkawang", phone="0562 631234", contact_name=f"Pemilik {n}",
            email=email or f"penyedia{n}@contoh.id", password=password,
        ))
        if with_document:
            suppliers.add_document(user, user.org.supplier, DocumentKind.NIB, "nib.pdf", b"%PDF-1.4\n%test\n")
        db.session.commit()
        return user

    return factory


@pytest.fixture
def create_user(app, create_org):
    """create_user(Role.PP) makes an OPD user; admins/auditors get the UKPBJ."""
    orgs: dict = {}

    def factory(role: Role, org: Organisation | None = None, email: str | None = None,
                password: str = PASSWORD, name: str | None = None) -> User:
        if org is None:
            kind = OrgKind.UKPBJ if role in (Role.ADMIN, Role.AUDITOR) else OrgKind.OPD
            if kind not in orgs:
                orgs[kind] = create_org(kind, code=None if kind is OrgKind.UKPBJ else None)
            org = orgs[kind]
        n = next(_counter)
        user = accounts.create_user(None, org=org, email=email or f"{role.value}{n}@contoh.go.id",
                                    name=name or f"Pegawai {n}", role=role, password=password)
        db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return self.client.post("/masuk", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/keluar")


@pytest.fixture
def auth(client):
    return AuthActions(client)
