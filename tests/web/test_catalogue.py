"""The public catalogue over HTTP: parameters, htmx fragments, pages, budgets."""
import gzip
import re

import pytest

from pbj.models.accounts import Role
from tests import catalogue_helpers as h
from tests.query_count import queries

HX = {"HX-Request": "true"}


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def shop(admin, create_supplier):
    """A small catalogue: two suppliers, two categories."""
    local = create_supplier("Kopi Tiam Pasiran", region_code="61.72")
    other = create_supplier("Toko Pontianak", region_code="61.71")
    drinks = h.category("Minuman")
    office = h.category("Alat Tulis")
    return {
        "kopi": h.product(local, admin, "Kopi Bubuk Robusta", price=25_000, cat=drinks, tkdn=80),
        "teh": h.product(other, admin, "Teh Celup Melati", price=12_000, cat=drinks, tkdn=30),
        "kertas": h.product(other, admin, "Kertas HVS A4", price=55_000, cat=office, pdn=False),
        "draft": h.product(local, admin, "Kopi Rahasia", publish=False),
        "local": local, "other": other,
    }


def test_full_page_without_htmx(client, shop):
    response = client.get("/katalog?q=kopi")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body
    assert "Kopi Bubuk Robusta" in body and "Teh Celup" not in body
    assert "Kopi Rahasia" not in body  # drafts are never public
    assert 'name="q" type="search" value="kopi"' in body  # the form keeps the query
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_gets_only_results_with_out_of_band_counts(client, shop):
    response = client.get("/katalog?q=teh", headers=HX)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="hasil"')
    assert "Teh Celup Melati" in body and "Kopi Bubuk" not in body
    assert 'hx-swap-oob="true"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_whole_page_without_out_of_band_counts(client, shop):
    response = client.get("/katalog?q=teh", headers={**HX, "HX-History-Restore-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" in body
    # The counts beside the filters are in the page once; out-of-band copies would
    # land inside #hasil after Back, with the same ids twice.
    assert "hx-swap-oob" not in body
    assert body.count('id="l-pdn"') == 1


@pytest.mark.parametrize("params, expected", [
    ({"kategori": "minuman"}, {"Kopi Bubuk Robusta", "Teh Celup Melati"}),
    ({"harga_min": "20000"}, {"Kopi Bubuk Robusta", "Kertas HVS A4"}),
    ({"harga_maks": "20.000"}, {"Teh Celup Melati"}),
    ({"label": "pdn"}, {"Kopi Bubuk Robusta", "Teh Celup Melati"}),
    ({"label": "tkdn40"}, {"Kopi Bubuk Robusta"}),
    ({"label": "lokal"}, {"Kopi Bubuk Robusta"}),
    ({"tingkat": "a"}, {"Kopi Bubuk Robusta", "Teh Celup Melati"}),  # certified TKDN 80 % and 30 %
    ({"stok": "1"}, {"Kopi Bubuk Robusta", "Teh Celup Melati", "Kertas HVS A4"}),
    ({"urut": "termurah"}, {"Kopi Bubuk Robusta", "Teh Celup Melati", "Kertas HVS A4"}),
    ({"q": "kertas", "urut": "relevan"}, {"Kertas HVS A4"}),
])
def test_each_parameter(client, shop, params, expected):
    body = client.get("/katalog", query_string=params).get_data(as_text=True)
    shown = {name for name in ("Kopi Bubuk Robusta", "Teh Celup Melati", "Kertas HVS A4") if name in body}
    assert shown == expected


def test_sort_order_on_the_page(client, shop):
    body = client.get("/katalog?urut=termurah").get_data(as_text=True)
    assert body.index("Teh Celup") < body.index("Kopi Bubuk") < body.index("Kertas HVS")


@pytest.mark.parametrize("query", ["kategori=tidak-ada", "harga_min=murah", "hal=999999", "urut=acak",
                                   "q=%22(kopi%22+AND+NEAR*", "hal=-5", "label=palsu", "tingkat=z", "q=" + "x" * 5000])
def test_bad_parameters_explain_and_still_show_a_page(client, shop, query):
    response = client.get("/katalog?" + query)
    assert response.status_code == 200
    assert "<main" in response.get_data(as_text=True)


def test_page_beyond_the_last_links_back(client, shop):
    body = client.get("/katalog?hal=500").get_data(as_text=True)
    assert "hal=1" in body and 'class="notice"' in body


def test_pagination_links_keep_the_filters(client, admin, create_supplier):
    s = create_supplier()
    for n in range(30):
        h.product(s, admin, f"Pulpen gel {n:02d}", price=1000 + n)
    first = client.get("/katalog?q=pulpen&urut=termurah").get_data(as_text=True)
    assert first.count('class="product-card"') == 24
    assert "hal=2" in first and "q=pulpen" in first
    second = client.get("/katalog?q=pulpen&urut=termurah&hal=2").get_data(as_text=True)
    assert second.count('class="product-card"') == 6 and "Pulpen gel 29" in second




def test_queries_per_page_do_not_grow_with_results(client, admin, create_supplier):
    suppliers = [create_supplier() for _ in range(3)]
    h.product(suppliers[0], admin, "Map plastik")
    urls = ["/katalog", "/katalog?q=map", "/katalog?kategori=makanan&label=umk"]
    few = [queries(client, url) for url in urls]
    for n in range(30):
        h.product(suppliers[n % 3], admin, f"Map plastik {n}")
    many = [queries(client, url) for url in urls]
    assert many == few


def test_first_page_within_weight_budget(client, admin, create_supplier):
    s = create_supplier("Percetakan Mulia Grafika")
    for n in range(30):
        h.product(s, admin, f"Cetak Spanduk Flexi 280 gsm ukuran {n} meter", price=18_000 + n,
                  description="Spanduk untuk kegiatan dinas, cetak tajam, tahan cuaca. " * 3)
    body = client.get("/katalog").data
    size = len(gzip.compress(body))
    print(f"/katalog first page: {len(body)} bytes, {size} bytes gzip")
    assert body.count(b'class="product-card"') == 24
    assert size <= 14 * 1024


def test_product_page_public_and_private(app, shop, create_user):
    client = app.test_client()
    page = client.get(f"/produk/{shop['kopi'].id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kopi Bubuk Robusta" in body and "Rp 25.000" in body
    assert client.get(f"/produk/{shop['draft'].id}").status_code == 404
    assert client.get("/produk/99999999999999999999").status_code == 404
    owner = app.test_client()
    owner.post("/masuk", data={"email": shop["local"].email, "password": "kata-sandi-uji-123"})
    assert owner.get(f"/produk/{shop['draft'].id}").status_code == 200  # the supplier previews its draft
    stranger = app.test_client()
    stranger.post("/masuk", data={"email": shop["other"].email, "password": "kata-sandi-uji-123"})
    assert stranger.get(f"/produk/{shop['draft'].id}").status_code == 404


def test_compare_up_to_four(client, shop):
    ids = [shop[k].id for k in ("kopi", "teh", "kertas")]
    body = client.get("/bandingkan", query_string=[("id", i) for i in ids]).get_data(as_text=True)
    assert all(name in body for name in ("Kopi Bubuk Robusta", "Teh Celup Melati", "Kertas HVS A4"))
    with_bad = client.get("/bandingkan", query_string=[("id", shop["draft"].id), ("id", "abc"), ("id", ids[0])])
    text = with_bad.get_data(as_text=True)
    assert with_bad.status_code == 200 and "Kopi Rahasia" not in text and "Kopi Bubuk Robusta" in text
    many = client.get("/bandingkan", query_string=[("id", i) for i in ids * 2 + [1, 2, 3]])
    assert many.status_code == 200


def test_supplier_profile_shows_public_data_only(client, shop):
    local = shop["local"].org.supplier
    body = client.get(f"/penyedia/{local.org_id}").get_data(as_text=True)
    assert local.org.name in body and "Kopi Bubuk Robusta" in body
    assert local.npwp not in body and "/usaha/dokumen/" not in body
    assert "Kopi Rahasia" not in body


def test_unverified_supplier_has_no_public_profile(client, create_supplier):
    unverified = create_supplier()
    assert client.get(f"/penyedia/{unverified.org_id}").status_code == 404


def test_photos_are_served_with_a_long_cache_and_bad_names_404(client, shop):
    name = shop["kopi"].images[0].thumb_name
    response = client.get(f"/gambar/{name}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    for bad in ("../../config.py", "x.jpg", "0" * 32 + ".jpg", "%00"):
        assert client.get(f"/gambar/{bad}").status_code in (400, 404)


def test_labels_name_the_rank_in_words_and_the_top_step_is_green(client, shop, admin):
    # Issue 10: the label is the Perpres 46/2025 rank in words, never a TKDN figure; TKDN
    # ranks only with a certificate, so 60 % without one is "PDN tanpa sertifikat TKDN".
    h.product(shop["local"], admin, "Kopi Tanpa Sertifikat", cat=h.category("Minuman"), tkdn=60,
              certified=False)
    h.product(shop["local"], admin, "Kopi Terdaftar SIINas", cat=h.category("Minuman"), siinas=True)
    body = client.get("/katalog").get_data(as_text=True)
    assert re.search(r'<span class="tag tag-ok" title="[^"]*">TKDN\+BMP ≥ 40%</span>', body)  # kopi, 80 %
    assert re.search(r'<span class="tag tag-ok" title="[^"]*">TKDN ≥ 25%</span>', body)  # teh, 30 %
    assert re.search(r'<span class="tag" title="[^"]*">PDN tanpa sertifikat TKDN</span>', body)
    assert re.search(r'<span class="tag" title="[^"]*">Terdaftar SIINas</span>', body)
    assert re.search(r'<span class="tag" title="[^"]*">Impor</span>', body)  # kertas
    assert "80%" not in body and "60%" not in body  # no figure on the cards at all


def test_the_step_filter_speaks_the_rule(client, shop):
    body = client.get("/katalog?tingkat=b").get_data(as_text=True)
    assert "Tingkat preferensi produk dalam negeri" in body
    assert 'name="tingkat" value="b" checked' in body
    assert "Kertas HVS A4" not in body  # an import is below every step
    unknown = client.get("/katalog?tingkat=z").get_data(as_text=True)
    assert "Tingkat preferensi tidak dikenal; semua produk ditampilkan." in unknown


def test_results_come_before_the_filters_and_empty_categories_are_folded(client, shop):
    h.category("Mebel")  # no products at all
    body = client.get("/katalog?q=kopi").get_data(as_text=True)
    # In the page's own order (phones, text browsers, screen readers): results, then filters.
    assert body.index('id="hasil"') < body.index('id="filter"')
    assert body.index("Kopi Bubuk Robusta") < body.index('name="kategori"')
    shown, folded = body.split('<details class="empty-categories">')
    folded = folded.split("</details>")[0]
    # None for "kopi" in "Alat Tulis", none published in "Makanan" (the draft's) or "Mebel".
    assert "3 kategori tanpa hasil" in folded
    assert "Alat Tulis" in folded and "Mebel" in folded and "Minuman" not in folded
    assert re.search(r'value="minuman"[^>]*> Minuman</label> <span class="muted" id="c-\d+">1</span>', shown)
    # Each category once: the out-of-band counts find a single element.
    assert len(re.findall(r'id="c-\d+"', body)) == len(set(re.findall(r'id="c-\d+"', body)))


def test_a_chosen_category_stays_in_view_even_without_results(client, shop):
    body = client.get("/katalog?q=kopi&kategori=alat-tulis").get_data(as_text=True)
    shown = body.split('<details class="empty-categories">')[0]
    assert re.search(r'value="alat-tulis" checked> Alat Tulis</label>', shown)
