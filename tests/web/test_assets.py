"""Slow links: pages and static files compressed, static files under content-hashed URLs
cached for a year, and everything still whole when unpacked."""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

from pbj.config import from_environment
from pbj.models.accounts import Role

GZIP = {"Accept-Encoding": "gzip"}
STATIC = Path(__file__).resolve().parents[2] / "pbj" / "static"


def _asset_urls(html: str) -> list[str]:
    return [u.replace("&amp;", "&") for u in
            re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"', html)]


def test_pages_link_static_files_by_the_hash_of_their_content(client):
    html = client.get("/katalog").get_data(as_text=True)
    site_css = next(u for u in _asset_urls(html) if "site.css" in u)
    expected = hashlib.sha256((STATIC / "css" / "site.css").read_bytes()).hexdigest()[:12]
    assert site_css == f"/static/css/site.css?v={expected}"
    assert any(u.startswith("/static/js/pbj.js?v=") for u in _asset_urls(html))


def test_a_hashed_static_url_is_cached_for_a_year_and_keeps_its_etag(client):
    html = client.get("/katalog").get_data(as_text=True)
    for url in _asset_urls(html):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert response.headers.get("ETag"), url


def test_static_without_the_current_hash_is_rechecked(client):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers.get("ETag")


def test_pages_and_static_files_are_compressed_and_unpack_to_the_same_bytes(client):
    plain = client.get("/katalog")
    packed = client.get("/katalog", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert "Content-Encoding" not in plain.headers
    css_url = next(u for u in _asset_urls(plain.get_data(as_text=True)) if "site.css" in u)
    css = client.get(css_url, headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"
    assert brotli.decompress(css.data) == (STATIC / "css" / "site.css").read_bytes()


def test_streamed_htmx_file_is_compressed_whole_and_answers_conditional_requests(client):
    plain = client.get("/static/vendor/htmx.min.js")
    packed = client.get("/static/vendor/htmx.min.js", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(plain.data) > 40_000
    again = client.get("/static/vendor/htmx.min.js", headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_htmx_fragment_is_compressed_and_varies_on_both_headers(client, auth, create_user, create_supplier):
    for n in range(8):
        create_supplier(f"Katering Bu Siti Cabang {n}", with_document=True)
    auth.login(create_user(Role.ADMIN))
    plain = client.get("/admin/penyedia?q=katering", headers={"HX-Request": "true"})
    packed = client.get("/admin/penyedia?q=katering", headers={"HX-Request": "true", **GZIP})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert plain.data.lstrip().startswith(b'<div id="supplier-list">')
    vary = packed.headers["Vary"]
    assert "HX-Request" in vary and "Accept-Encoding" in vary


def test_pages_requested_by_another_site_are_not_compressed(client):
    # BREACH: docs/SECURITY.md, "Compression and BREACH".
    response = client.get("/katalog", headers={**GZIP, "Sec-Fetch-Site": "cross-site"})
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    same = client.get("/katalog", headers={**GZIP, "Sec-Fetch-Site": "same-origin"})
    assert same.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("value", ["0", "false"])
def test_compression_can_be_turned_off_for_a_proxy_that_compresses(make_app, value, monkeypatch):
    monkeypatch.setenv("COMPRESS_RESPONSES", value)
    assert from_environment()["COMPRESS_RESPONSES"] is False
    app = make_app(COMPRESS_RESPONSES=False)
    with app.app_context():
        client = app.test_client()
        response = client.get("/katalog", headers=GZIP)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        css = client.get("/static/css/site.css", headers=GZIP)
        assert "Content-Encoding" not in css.headers
