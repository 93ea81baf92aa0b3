"""Safe `next` redirect targets; refusing unknown hosts (absolute links: pbj.urls)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError

from pbj.urls import public_adapter


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only same-site paths; anything else (another host, `//evil`) goes home."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for(default_endpoint)


def refuse_untrusted_host() -> None:
    """Answer 400 to a Host (or X-Forwarded-Host) outside TRUSTED_HOSTS.

    Flask notes the refusal but would only raise it at dispatch, after the other
    hooks (CSRF, rate limits) ran; registered first, this raises it at once. Flask
    could not bind URLs to the refused host, so the error page's links (paths only)
    are bound to the public address instead.
    """
    error = request.routing_exception
    if isinstance(error, SecurityError):
        request_ctx.url_adapter = public_adapter()
        current_app.logger.warning("Refused a request: %s", error.description)
        raise error
