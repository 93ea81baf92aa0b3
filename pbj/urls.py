"""Absolute links at PUBLIC_BASE_URL, for e-mails, printed QR codes and the CLI.

Needs an application context but no request, so services (e-mails sent after the
commit) and commands use it as well as views; the request-bound helpers (safe
`next` targets, refusing unknown hosts) stay in pbj.web.urls.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def public_adapter() -> MapAdapter:
    """The URL map bound to PUBLIC_BASE_URL (scheme, host and path prefix)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` at PUBLIC_BASE_URL.

    The one way absolute links are made: never from the request's Host header (the
    client chooses it), and it works outside a request (CLI, e-mails after commit).
    """
    return public_adapter().build(endpoint, values, force_external=True)
