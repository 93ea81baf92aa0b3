"""Weight budgets from DESIGN.md, measured on what the app actually serves."""
import gzip
from pathlib import Path

import pbj
from pbj.models.accounts import Role
from tests.query_count import queries

CSS_BUDGET = 10 * 1024
PAGE_BUDGET = 14 * 1024


def _compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def test_all_css_within_budget():
    css = b"".join(p.read_bytes() for p in Path(pbj.__file__).parent.joinpath("static").rglob("*.css"))
    size = _compressed(css)
    print(f"all CSS: {len(css)} bytes, {size} bytes gzip")
    assert 0 < size <= CSS_BUDGET


def test_only_htmx_and_our_guard_script(client):
    own_js = list(Path(pbj.__file__).parent.joinpath("static").rglob("*.js"))
    assert [p.name for p in own_js] == ["pbj.js"]  # docs/SECURITY.md
    assert sum(p.stat().st_size for p in own_js) < 2048  # "at most a few lines of our own"
    page = client.get("/").data
    assert page.count(b"<script") == 2
    assert b"/static/vendor/htmx.min.js" in page and b"/static/js/pbj.js" in page


def test_pages_are_light(client, auth, create_user, create_supplier):
    for _ in range(5):
        create_supplier(with_document=True)
    pages = ["/", "/masuk", "/daftar"]
    sizes = {url: _compressed(client.get(url).data) for url in pages}
    auth.login(create_user(Role.ADMIN))
    for url in ("/admin/penyedia", "/admin/pengguna", "/audit/"):
        sizes[url] = _compressed(client.get(url).data)
    print("gzip sizes:", sizes)
    assert all(0 < size <= PAGE_BUDGET for size in sizes.values()), sizes




def test_list_pages_use_a_constant_number_of_queries(client, auth, create_user, create_supplier):
    auth.login(create_user(Role.ADMIN))
    create_supplier(with_document=True)
    few = {url: queries(client, url) for url in ("/admin/penyedia?status=semua", "/admin/pengguna")}
    for _ in range(8):
        create_supplier(with_document=True)
    many = {url: queries(client, url) for url in few}
    print("queries:", few, many)
    assert many == few
