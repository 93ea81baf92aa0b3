"""Session lifetime, read-only transactions for safe methods, security headers."""
from __future__ import annotations

import time

from flask import Flask, abort, current_app, request, session
from flask_login import current_user, logout_user

from pbj.database import write_intent
from pbj.extensions import db, login_manager
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.web.errors import error_response
from pbj.web.htmx import sent_by_our_element

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.before_request(refuse_nul_bytes)
    app.before_request(refuse_unmarked_htmx_writes)
    app.before_request(mark_read_only)
    app.before_request(enforce_session_timeouts)
    app.after_request(set_security_headers)
    app.teardown_request(reset_write_intent)


def load_user(token: str) -> User | None:
    """Session tokens are "<id>:<session_version>"; an old version is refused."""
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def refuse_nul_bytes() -> None:
    """No legitimate form or query holds a NUL byte, and PostgreSQL text cannot
    store one: refuse such requests up front (400) rather than fail later."""
    for source in (request.args, request.form):
        for _name, values in source.lists():
            if any("\x00" in value for value in values):
                abort(400)


def refuse_unmarked_htmx_writes():
    """An htmx write must come from an element our templates wrote (docs/SECURITY.md).

    The guard script already cancels requests from other elements; this refuses
    them if the script did not run. Plain form posts (no JavaScript) carry no
    `HX-Request` and are checked by the CSRF token alone. Tests that switch CSRF
    off switch this off with it.
    """
    if (request.method in SAFE_METHODS or request.headers.get("HX-Request") != "true"
            or not current_app.config.get("WTF_CSRF_ENABLED", True)):
        return
    if not sent_by_our_element():
        return error_response(400, _l("This request did not come from a page of this site. "
                                      "Reload the page and try again."))


def mark_read_only() -> None:
    # GET never writes (no state change on GET): such requests take no
    # SQLite write lock. The token is kept on `request` for teardown.
    intent = request.method not in SAFE_METHODS
    request.environ["pbj.write_intent_token"] = write_intent.set(intent)


def reset_write_intent(_exc=None) -> None:
    token = request.environ.pop("pbj.write_intent_token", None)
    if token is not None:
        write_intent.reset(token)


def start_session(user: User) -> None:
    """A fresh session at login (new CSRF token, timestamps for the timeouts)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = int(time.time())
    session["started_at"] = now
    session["seen_at"] = now
    session.permanent = False


def enforce_session_timeouts() -> None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    cfg = current_app.config
    now = int(time.time())
    started = session.get("started_at", 0)
    seen = session.get("seen_at", 0)
    if (now - started > cfg["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
            or now - seen > cfg["SESSION_IDLE_TIMEOUT"].total_seconds()):
        logout_user()
        session.clear()
        session["expired"] = True
        return
    # Refresh at most once a minute: the cookie is not rewritten on every click.
    if now - seen > 60:
        session["seen_at"] = now


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["PBJ_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "_user_id" in session:
        # Pages behind a login are never stored by shared caches or the back button. The
        # session says so without loading the user (the database may be what failed).
        headers.setdefault("Cache-Control", "no-store")
    return response
