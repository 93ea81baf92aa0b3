"""Safe `next` redirect targets; absolute links from PUBLIC_BASE_URL; refusing unknown hosts."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only same-site paths; anything else (another host, `//evil`) goes home."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for(default_endpoint)


def _public_adapter() -> MapAdapter:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` at PUBLIC_BASE_URL, for e-mails and printed QR codes.

    The one way absolute links are made: never from the request's Host header (the
    client chooses it), and it works outside a request (CLI, e-mails after commit).
    """
    return _public_adapter().build(endpoint, values, force_external=True)


def refuse_untrusted_host() -> None:
    """Answer 400 to a Host (or X-Forwarded-Host) outside TRUSTED_HOSTS.

    Flask notes the refusal but would only raise it at dispatch, after the other
    hooks (CSRF, rate limits) ran; registered first, this raises it at once. Flask
    could not bind URLs to the refused host, so the error page's links (paths only)
    are bound to the public address instead.
    """
    error = request.routing_exception
    if isinstance(error, SecurityError):
        request_ctx.url_adapter = _public_adapter()
        current_app.logger.warning("Refused a request: %s", error.description)
        raise error
