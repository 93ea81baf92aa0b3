"""Error pages in the site layout, in the user's language; no stack traces."""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.services.errors import NotAllowed, WrongState

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered and try again.")),
    403: (_l("Not allowed"), _l("Your account may not open this page or do this action.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not available to you.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Not possible right now"), _l("This cannot be done in the current state.")),
    413: (_l("File too large"), _l("The file you sent is larger than allowed. Choose a smaller file.")),
    422: (_l("Check your input"), _l("Some of what you entered could not be accepted.")),
    429: (_l("Too many attempts"), _l("You tried too often in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong"), _l("An error on our side stopped this request. Nothing was saved. Try again later.")),
    503: (_l("Not available for a moment"), _l("The system cannot reach its database just now. Nothing was saved. "
                                                "Try again in a few minutes.")),
}
# How long a client is asked to wait when the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(NotAllowed, lambda e: error_response(403, e.message))
    app.register_error_handler(WrongState, lambda e: error_response(409, e.message))
    # The database stopped, unreachable, or (SQLite) locked past the busy timeout; the
    # pool hands out a fresh connection once it is back (pool_pre_ping on PostgreSQL).
    app.register_error_handler(sa_exc.OperationalError, handle_database_unavailable)
    app.register_error_handler(sa_exc.TimeoutError, handle_database_unavailable)  # pool exhausted
    app.register_error_handler(Exception, handle_unexpected)


def error_response(code: int, detail: str | None = None):
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:  # a connection that is gone cannot roll back; nothing was saved
        db.session.remove()
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if request.path.startswith(("/healthz", "/ocds/")) or request.accept_mimetypes.best == "application/json":
        return jsonify(error=code, message=str(detail or message)), code
    return render_template("errors/error.html", code=code, title=title,
                           message=message, detail=detail), code


def handle_http_error(e: HTTPException):
    if e.code == 405 and request.method in ("GET", "HEAD"):
        page = form_page(request.path)
        if page is not None:
            return redirect(page, 303)
    return error_response(e.code or 500)


def form_page(path: str) -> str | None:
    """The page a POST-only address belongs to: the nearest shorter path a GET answers.

    After a refused form (422) the address bar shows the POST's URL (/usaha/produk/7/kirim).
    A reload asks before sending again; but opening that address (Enter in the address bar,
    history, a restored tab) is a GET: it leads back to the form's page (/usaha/produk/7),
    not to an error. Built from the path's own segments, so it never leaves the site.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    segments = [s for s in path.split("/") if s]
    for end in range(len(segments) - 1, -1, -1):
        candidate = "/" + "/".join(segments[:end])
        try:
            adapter.match(candidate, method="GET")
        except HTTPException:  # no page there (404, 405, or a redirect to another form)
            continue
        return candidate
    return None


def handle_csrf_error(e: CSRFError):
    return error_response(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))


# SQLite raises OperationalError for mistakes in SQL too ("no such column"): only these
# mean the database cannot serve now. psycopg raises it for connections only.
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database",
                       "disk i/o error", "database or disk is full")


def _unavailable(e: Exception) -> bool:
    if isinstance(e, sa_exc.TimeoutError) or getattr(e, "connection_invalidated", False):
        return True
    if db.engine.dialect.name != "sqlite":
        return True
    return str(getattr(e, "orig", e)).lower().startswith(_SQLITE_UNAVAILABLE)


def handle_database_unavailable(e: Exception):
    if not _unavailable(e):
        return handle_unexpected(e)
    current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path,
                             str(getattr(e, "orig", None) or e).strip())
    if not hasattr(g, "_login_user"):  # the page must not try to load the signed-in user again
        g._login_user = current_app.login_manager.anonymous_user()
    if request.path == "/healthz":  # a signed-in check failed before the view: the report still
        from pbj.web import health

        body, code = health.report()
        return jsonify(body), code, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    body, code = error_response(503)
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def handle_unexpected(e: Exception):
    if isinstance(e, HTTPException):
        return handle_http_error(e)
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    if current_app.config.get("PROPAGATE_UNHANDLED"):
        raise e
    return error_response(InternalServerError.code)
