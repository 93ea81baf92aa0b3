"""Static files for slow links: content-hashed URLs cached for a year, and compression.

`url_for('static', filename=...)` gets `?v=<hash of the file's content>`, computed once
at start-up. A request carrying the current hash is answered with a year's immutable
cache: a changed file gets a new URL, so nobody keeps an old one. Without the hash (an
old bookmark, a stale page) the file is served `no-cache`, re-checked by its ETag.

Compression (Flask-Compress) is on unless COMPRESS_RESPONSES is off, for deployments
where nginx compresses (docs/OPERATIONS.md). Cross-site requests get no compressed
HTML: see docs/SECURITY.md ("Compression and BREACH").
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, request
from flask_compress import Compress

YEAR = "public, max-age=31536000, immutable"
HASH_LENGTH = 12


def init_app(app: Flask) -> None:
    app.extensions["static_hashes"] = static_hashes(app.static_folder)
    app.url_defaults(add_static_hash)
    app.after_request(set_static_cache)
    if app.config["COMPRESS_RESPONSES"]:
        # Static files and htmx are sent as streams: gzip them too (the library leaves gzip
        # out of streams by default), and answer their conditional requests after compressing.
        app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
        app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
        app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["static", "htmx_js"])
        SameSiteCompress().init_app(app)


def static_hashes(folder: str | None) -> dict[str, str]:
    """{filename relative to the static folder: short hash of its bytes}."""
    hashes: dict[str, str] = {}
    if not folder or not os.path.isdir(folder):
        return hashes
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()[:HASH_LENGTH]
            hashes[os.path.relpath(path, folder).replace(os.sep, "/")] = digest
    return hashes


def add_static_hash(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values:
        digest = current_app.extensions["static_hashes"].get(values.get("filename", ""))
        if digest:
            values["v"] = digest


def set_static_cache(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = current_app.extensions["static_hashes"].get(filename)
    if current and request.args.get("v") == current:
        response.headers["Cache-Control"] = YEAR
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


class SameSiteCompress(Compress):
    """Compresses, except answers to requests another site started.

    BREACH guesses a secret in a compressed page (the CSRF token) from the sizes of many
    answers to requests the attacker's page makes with the victim's cookies, each
    carrying a guess the page reflects. Browsers mark such requests `Sec-Fetch-Site:
    cross-site`: those get the page uncompressed. The page's own requests (static
    files, htmx, links and forms of this site) are same-origin and compressed.
    """

    def after_request(self, response):
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            vary = response.headers.get("Vary")
            if not vary:
                response.headers["Vary"] = "Accept-Encoding"
            elif "accept-encoding" not in vary.lower():
                response.headers["Vary"] = f"{vary}, Accept-Encoding"
            return response
        return super().after_request(response)
