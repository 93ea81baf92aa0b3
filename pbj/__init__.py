"""PBJ e-Katalog Lokal: the application factory (wiring only)."""
from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from pbj import config as default_config
from pbj.database import include_object
from pbj.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

# Values that look like a secret but are not one.
_PLACEHOLDER_SECRETS = {"", "dev", "changeme", "change-me", "secret", "development"}


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration; the message says what to fix."""


def create_app(test_config: dict | None = None) -> Flask:
    # Tests and several instances on one machine may point elsewhere.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PBJ_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    load_config(app, test_config)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from pbj.web.urls import refuse_untrusted_host

    app.before_request(refuse_untrusted_host)  # first: before CSRF and rate-limit hooks

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_object)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from pbj.web import assets, i18n, security, errors, templating, throttling

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    throttling.init_app(app)
    assets.init_app(app)  # last: its hooks run first, before the security headers

    with app.app_context():
        from pbj import models  # noqa: F401  (registers the mappers)
        from pbj.database import configure_engine

        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from pbj.services import notifications, uploads

    notifications.install(db.session)  # e-mails go out after the commit, none on rollback
    uploads.init_app(app)  # Pillow's decompression-bomb limit = IMAGE_MAX_PIXELS

    from pbj.blueprints.admin.views import bp as admin_bp
    from pbj.blueprints.audit.views import bp as audit_bp
    from pbj.blueprints.catalogue.views import bp as catalogue_bp
    from pbj.blueprints.desk.views import bp as desk_bp
    from pbj.blueprints.documents.views import bp as documents_bp
    from pbj.blueprints.orders.views import bp as orders_bp
    from pbj.blueprints.auth.views import bp as auth_bp
    from pbj.blueprints.listings.views import bp as listings_bp
    from pbj.blueprints.main.views import bp as main_bp
    from pbj.blueprints.admin.review.views import bp as review_bp
    from pbj.blueprints.supplier.views import bp as supplier_bp
    from pbj.blueprints.packages.views import bp as packages_bp
    from pbj.blueprints.reports.views import bp as reports_bp
    from pbj.blueprints.ocds.views import bp as ocds_bp
    from pbj.blueprints.transparency.views import bp as transparency_bp
    from pbj.blueprints.oversight.views import bp as oversight_bp

    for bp in (main_bp, catalogue_bp, auth_bp, supplier_bp, listings_bp, admin_bp, review_bp, audit_bp,
               documents_bp, orders_bp, packages_bp, desk_bp, reports_bp, ocds_bp, transparency_bp,
               oversight_bp):
        app.register_blueprint(bp)

    from pbj import cli

    cli.init_app(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then test_config."""
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(default_config.from_environment())
    if test_config:
        app.config.update(test_config)

    env = app.config["PBJ_ENV"]
    if env not in ("production", "development", "testing"):
        raise ConfigurationError(f"PBJ_ENV must be production, development or testing, not {env!r}.")
    app.config["TESTING"] = app.config.get("TESTING") or env == "testing"
    if env != "production":
        app.config["SESSION_COOKIE_SECURE"] = False

    key = app.config.get("SECRET_KEY") or ""
    if key.strip().lower() in _PLACEHOLDER_SECRETS or len(key) < 32:
        if env == "production":
            raise ConfigurationError(
                "SECRET_KEY is missing or too short (need 32+ random characters). "
                "Set the SECRET_KEY environment variable or put SECRET_KEY = '...' in "
                f"{os.path.join(app.instance_path, 'config.py')}. "
                "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        warnings.warn("No SECRET_KEY set: using a random one; sessions end at restart.", stacklevel=2)
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
    _configure_public_address(app.config, env)
    _configure_session_cookie(app.config, env)
    from pbj.services.orders.numbering import check_formats

    try:
        app.config["DOCUMENT_NUMBER_FORMATS"] = check_formats(app.config.get("DOCUMENT_NUMBER_FORMATS"))
    except ValueError as error:
        raise ConfigurationError(f"DOCUMENT_NUMBER_FORMATS: {error}") from None

    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "pbj.sqlite3"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A pooled connection is tested before use, so after PostgreSQL restarts the next
        # request gets a new one instead of an error (about 0.1 ms on a local network).
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    # Redis down: the registration limit counts per worker in memory until it is back,
    # and a storage error never becomes an error page (docs/DEPLOY.md, "When a part is down").
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def _configure_session_cookie(config, env: str) -> None:
    """`__Host-` in production: the browser then insists on Secure, Path=/ and no Domain."""
    if not config.get("SESSION_COOKIE_NAME"):
        config["SESSION_COOKIE_NAME"] = "__Host-pbj_session" if env == "production" else "pbj_session"
    if config["SESSION_COOKIE_NAME"].startswith("__Host-"):
        if config.get("SESSION_COOKIE_DOMAIN") or not config["SESSION_COOKIE_SECURE"]:
            raise ConfigurationError("A __Host- session cookie needs SESSION_COOKIE_SECURE and no "
                                     "SESSION_COOKIE_DOMAIN; choose another SESSION_COOKIE_NAME.")
        config["SESSION_COOKIE_PATH"] = "/"


def _configure_public_address(config, env: str) -> None:
    """PUBLIC_BASE_URL (the source of absolute links) and TRUSTED_HOSTS (the Host headers served)."""
    base = (config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")
    if not base:
        if env == "production":
            raise ConfigurationError(
                "PUBLIC_BASE_URL is missing: set it to the address users reach the site at, "
                "e.g. PUBLIC_BASE_URL=https://ekatalog.singkawangkota.go.id (environment or instance/config.py)."
            )
        base = "http://127.0.0.1:5000"
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(f"PUBLIC_BASE_URL must look like https://host[/path], not {base!r}.")
    config["PUBLIC_BASE_URL"] = base
    if config.get("TRUSTED_HOSTS") is None:
        hosts = [parts.hostname]
        if env != "production":
            hosts += ["127.0.0.1", "localhost"]
        config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))
