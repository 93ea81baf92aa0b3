"""Rendered catalogue HTML, kept per process while the catalogue does not change (issue 15).

A catalogue page is a function of its URL, the language, whether the visitor buys (the
cards' cart buttons) and the catalogue's state (`search.catalogue_state`: the products'
version, the suppliers hidden today, the categories). Rendering it — 24 cards and the
category tree with counts — costs ten times a trivial request (docs/BENCHMARKS.md), so
the HTML is kept under exactly that key, a bounded number of pages per process:

* an anonymous visitor gets the kept page, or the kept htmx fragment, whole;
* a signed-in visitor gets the kept catalogue part inside a header rendered for them
  (their menu, cart and notifications are never kept); on a product page, whose
  cart form is theirs, the whole page rendered afresh.

What differs per visitor inside kept HTML — the CSRF token and the htmx element key —
is rendered as a marker and filled in for each answer. The markers are random per
process and never leave it, so no user text can spell one. Pages with flashed
messages are rendered afresh and not kept.

Anonymous pages also carry a weak ETag of the same key and the visitor's session, so
a reload or Back is a 304 while nothing changed. Signed-in pages are `no-store`
(pbj.web.security) and get none: one user's page is never another's, nor a cart
count stale.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from contextvars import ContextVar
from pathlib import Path

from flask import current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from pbj.web.htmx import element_key, is_fragment_request

PAGES_KEPT = 256  # per process; a catalogue page is 35–40 KB, so about 10 MB at most

_MARK = secrets.token_hex(16)
CSRF_MARK = f"pbj-{_MARK}-csrf"
KEY_MARK = f"pbj-{_MARK}-htmx"
_marking: ContextVar[bool] = ContextVar("page_cache_marking", default=False)


def csrf_token() -> str:
    """The template global `csrf_token()`: a marker while a page is rendered to be kept."""
    return CSRF_MARK if _marking.get() else generate_csrf()


def htmx_key() -> str:
    """The template global `htmx_key()`: a marker while a page is rendered to be kept."""
    return KEY_MARK if _marking.get() else element_key()


class _Pages:
    """A small least-recently-used map of rendered HTML (a lock: the dev server has threads)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> str | None:
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
            return html

    def put(self, key, html: str) -> None:
        with self._lock:
            self._entries[key] = html
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def pages() -> _Pages:
    """This application's kept pages (one application per process, except in tests)."""
    return current_app.extensions.setdefault("pbj_kept_pages", _Pages(PAGES_KEPT))


def _kept(key, render) -> str:
    kept = pages()
    html = kept.get(key)
    if html is None:
        token = _marking.set(True)
        try:
            html = str(render())
        finally:
            _marking.reset(token)
        kept.put(key, html)
    return html


def _personal(html: str) -> str:
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    if KEY_MARK in html:
        html = html.replace(KEY_MARK, element_key())
    return html


def render_kept(template: str, *, fragment: str | None, part: str | None, state, context):
    """Answer a GET of a page that `template` renders from `context()` alone.

    `fragment` is the block htmx asks for (as `pbj.web.htmx.render`), `part` the block
    holding everything below the header (the template shows it with `{{ part_html }}`
    when given, else renders the block itself; None: signed-in visitors get the page
    rendered afresh); `state` is what the page depends on besides its URL, language and
    visitor (`search.catalogue_state`); `context()` is called only when the page must be
    rendered, and may abort (a 404 is never kept).
    """
    partial = bool(fragment) and is_fragment_request()
    anonymous = not current_user.is_authenticated
    audience = "anonymous" if anonymous else ("buyer" if current_user.role.buys else "reader")
    # The mount point too: the page's links start with it, and full_path leaves it out.
    key = (template, audience, partial, str(get_locale()), request.script_root + request.full_path, state)
    fresh = "_flashes" in session  # a flashed message belongs to one answer only

    def render_whole():
        values = context()
        if partial:
            return render_block(template, fragment, htmx_fragment=True, **values)
        return render_template(template, htmx_fragment=False, **values)

    etag = None
    if anonymous and not fresh:
        etag = _etag(key)
        if etag is not None and etag in _sent_etags():
            return _answer("", 304, fragment, etag)
        body = _personal(_kept(key, render_whole))
    elif fresh or part is None:
        body = render_whole()
    elif partial:
        body = _personal(_kept(key, render_whole))
    else:  # signed in: the part is kept, the header around it is this user's
        html = _kept((*key, part), lambda: render_block(template, part, htmx_fragment=False, **context()))
        part_html = Markup(_personal(html))  # nosec B704  # our template's own output, escaped when rendered
        body = render_template(template, htmx_fragment=False, part_html=part_html)
    if anonymous and etag is None and not fresh:
        etag = _etag(key)  # the first answer of a session: its CSRF secret exists now
    return _answer(body, 200, fragment, etag)


def _answer(body: str, status: int, fragment: str, etag: str | None):
    response = make_response(body, status)
    if fragment:
        response.vary.add("HX-Request")
    response.vary.add("Cookie")
    if etag is not None:
        response.headers["ETag"] = etag
        # Private: the page holds this visitor's CSRF token. no-cache: ask before reusing.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _sent_etags() -> set[str]:
    return {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",") if tag.strip()}


def _etag(key) -> str | None:
    """A weak ETag of the page's key and this session's CSRF secret (which the token and the
    htmx key on the page derive from), or None before the session has one."""
    secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not secret:
        return None
    digest = hmac.new(current_app.secret_key.encode(), repr((_build(), key, secret)).encode(),
                      hashlib.sha256).hexdigest()[:32]
    return f'W/"{digest}"'


_BUILD: list[str] = []


def _build() -> str:
    """The code and templates this process runs (an ETag must not outlive a new release):
    every file of the package by name, size and modification time, read once."""
    if not _BUILD:
        root = Path(__file__).resolve().parent.parent
        listing = sorted((str(path.relative_to(root)), path.stat().st_size, path.stat().st_mtime_ns)
                         for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts)
        _BUILD.append(hashlib.sha256(repr((current_app.config["VERSION"], listing)).encode()).hexdigest())
    return _BUILD[0]
