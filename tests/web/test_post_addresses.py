"""After a refused form (422) the address bar keeps the POST's URL. A reload makes the
browser ask before sending again; opening that address (a GET) leads to the form's page,
never to a 405 or 500 (docs/ARCHITECTURE.md, "Forms")."""
from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter

from pbj.models.accounts import Role
from tests.catalogue_helpers import category, verified
from tests.web.test_listings import form_data


def post_only_urls(app) -> list[str]:
    """Every address that answers only POST, with sample arguments."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.rule, set()).update(rule.methods)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in methods[rule.rule]:
            continue
        values = {name: sorted(conv.items)[0] if isinstance(conv, AnyConverter) else 1
                  for name, conv in rule._converters.items()}
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


def test_every_post_only_address_opened_with_get_leads_to_its_page(app, client, auth, create_user):
    auth.login(create_user(Role.ADMIN))
    urls = post_only_urls(app)
    assert "/usaha/produk/1/kirim" in urls and "/pesanan/1/batal" in urls and "/keluar" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 303, url
        page = response.headers["Location"]
        assert url.startswith(page) and page.startswith("/") and not page.startswith("//"), (url, page)
        assert client.get(page).status_code not in (405, 500), (url, page)


@pytest.mark.parametrize("url, page", [
    ("/usaha/produk/7/kirim", "/usaha/produk/7"),
    ("/usaha/produk/7/foto/3/hapus", "/usaha/produk/7"),
    ("/pesanan/12/tolak-ppk", "/pesanan/12"),
    ("/keranjang/5/hapus", "/keranjang"),
    ("/admin/penyedia/4/pengguna/9/undangan", "/admin/penyedia/4"),
    ("/bahasa", "/"),
])
def test_the_page_is_the_nearest_shorter_address(client, url, page):
    response = client.get(url)
    assert (response.status_code, response.headers["Location"]) == (303, page)


def test_other_methods_on_a_get_page_are_still_refused(client):
    assert client.put("/usaha/produk/7/kirim").status_code == 405
    assert client.delete("/katalog").status_code == 405


def test_after_a_refused_submit_the_address_shows_the_form_again(client, auth, create_user, create_supplier):
    supplier_user = verified(create_supplier(with_document=True), create_user(Role.ADMIN))
    cat = category("Kopi dan Teh", parent="Makanan dan Minuman")
    auth.login(supplier_user)
    created = client.post("/usaha/produk/baru", data=form_data(cat.id))
    assert created.status_code == 303
    form_url = created.headers["Location"]
    refused = client.post(f"{form_url}/kirim")  # no photo yet: refused on the page
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "no-store"  # not kept for the back button
    again = client.get(f"{form_url}/kirim", follow_redirects=True)
    assert again.status_code == 200
    assert again.request.path == form_url
    assert 'value="Kopi Bubuk Robusta 250 g"' in again.get_data(as_text=True)
