"""Ranking, filters, labels and text search — on SQLite and (same suite) PostgreSQL."""
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import Preference, preference_of
from pbj.models.suppliers import BusinessScale, Sanction
from pbj.services import search, suppliers
from tests import catalogue_helpers as h

TODAY = date(2026, 11, 26)


def run(**params):
    args = MultiDict()
    for key, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            args.add(key, str(v))
    query = search.parse_query(args)
    return search.search(query, TODAY)


def names(results):
    return [p.name for p in results.items]


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.mark.parametrize("tkdn, bmp, pdn, tier", [
    (40, 0, True, Preference.TKDN_BMP_40), (25, 15, True, Preference.TKDN_BMP_40),
    (39.99, 0, True, Preference.TKDN_25), (25, 14.99, True, Preference.TKDN_25),
    (24.99, 15, True, Preference.TKDN_BMP_40 if 24.99 + 15 >= 40 else Preference.DOMESTIC),
    (24.99, 0, True, Preference.DOMESTIC), (0, 0, True, Preference.DOMESTIC), (90, 15, False, Preference.IMPORT),
])
def test_preference_tiers(tkdn, bmp, pdn, tier):
    assert preference_of(round(tkdn * 100), round(bmp * 100), pdn) is tier


def test_default_order_follows_domestic_preference_then_local_umk(app, admin, create_supplier):
    local_micro = create_supplier("UMKM Lokal", region_code="61.72", scale=BusinessScale.MIKRO)
    outside_micro = create_supplier("UMKM Sambas", region_code="61.01", scale=BusinessScale.MIKRO)
    local_large = create_supplier("PT Besar Lokal", region_code="61.72", scale=BusinessScale.BESAR)
    h.product(outside_micro, admin, "Kertas impor", pdn=False, tkdn=0)
    h.product(local_micro, admin, "Kertas rendah TKDN", tkdn=10)
    h.product(local_large, admin, "Kertas TKDN 30 besar", tkdn=30)
    h.product(local_micro, admin, "Kertas TKDN 30 lokal", tkdn=30)
    h.product(outside_micro, admin, "Kertas TKDN 45 luar", tkdn=45)
    h.product(local_micro, admin, "Kertas TKDN 35 BMP 5 lokal", tkdn=35, bmp=5)
    assert names(run()) == [
        "Kertas TKDN 35 BMP 5 lokal",  # TKDN+BMP >= 40, local UMK
        "Kertas TKDN 45 luar",          # TKDN+BMP >= 40, not local
        "Kertas TKDN 30 lokal",          # TKDN >= 25, local UMK
        "Kertas TKDN 30 besar",          # TKDN >= 25, local but not UMK
        "Kertas rendah TKDN",            # domestic, lower TKDN
        "Kertas impor",                  # imports last
    ]


def test_text_search_prefix_case_and_accents(app, admin, create_supplier):
    s = create_supplier()
    h.product(s, admin, "Kopi Bubuk Robusta")
    h.product(s, admin, "Café Latte Sachet")
    h.product(s, admin, "Kertas HVS A4", description="Kertas untuk kantor, 70 gsm")
    assert names(run(q="kop")) == ["Kopi Bubuk Robusta"]
    assert names(run(q="KOPI")) == ["Kopi Bubuk Robusta"]
    assert names(run(q="cafe")) == ["Café Latte Sachet"]
    assert names(run(q="CAFÉ lat")) == ["Café Latte Sachet"]
    assert names(run(q="kantor")) == ["Kertas HVS A4"]  # description counts
    assert names(run(q="kopi kertas")) == []            # all words must match


@pytest.mark.parametrize("q", ['"kopi', "kopi*", "(kopi", "kopi:", "-kopi", "^kopi", "kopi)", "'kopi'"])
def test_operator_characters_around_a_word_are_ignored(app, admin, create_supplier, q):
    h.product(create_supplier(), admin, "Kopi Bubuk")
    assert names(run(q=q)) == ["Kopi Bubuk"]


@pytest.mark.parametrize("q", ['"', "* AND", "NEAR(kopi kertas)", "kopi OR", "((", ")", "kopi AND NOT",
                               "'; DROP TABLE products; --", "%_", "\\", "🙂", "a" * 500, "\x01\x7f"])
def test_any_characters_in_q_are_safe(app, admin, create_supplier, q):
    h.product(create_supplier(), admin, "Kopi Bubuk")
    results = run(q=q)
    assert results.facets.total == len(results.items) <= 1


def test_search_tokens_drop_operators():
    assert search.search_tokens('"(Kopi" AND NEAR* Café') == ["kopi", "and", "near", "cafe"]


def test_filters(app, admin, create_supplier):
    local = create_supplier("Lokal", region_code="61.72", scale=BusinessScale.KECIL)
    big = create_supplier("Besar", region_code="61.71", scale=BusinessScale.BESAR)
    food = h.category("Makanan")
    snacks = h.category("Snack Box", parent="Makanan")
    office = h.category("Alat Tulis")
    h.product(local, admin, "Snack box rapat", price=15_000, cat=snacks, tkdn=80, stock=None)
    h.product(big, admin, "Nasi kotak", price=30_000, cat=food, tkdn=30, stock=0)
    h.product(big, admin, "Pulpen impor", price=3_000, cat=office, pdn=False, stock=100)
    assert set(names(run(kategori="makanan"))) == {"Snack box rapat", "Nasi kotak"}  # top includes children
    assert names(run(kategori="snack-box")) == ["Snack box rapat"]
    assert names(run(harga_min="10.000", harga_maks="Rp 20.000")) == ["Snack box rapat"]
    assert set(names(run(label="pdn"))) == {"Snack box rapat", "Nasi kotak"}
    assert names(run(label="tkdn40")) == ["Snack box rapat"]
    assert names(run(label=["umk", "lokal"])) == ["Snack box rapat"]
    assert names(run(stok="1")) == ["Pulpen impor"]  # made to order and sold out are not "ready stock"
    assert names(run(urut="termurah")) == ["Pulpen impor", "Snack box rapat", "Nasi kotak"]
    assert names(run(urut="termahal")) == ["Nasi kotak", "Snack box rapat", "Pulpen impor"]


def test_facets_count_under_the_current_query(app, admin, create_supplier):
    s = create_supplier(region_code="61.72")
    food, office = h.category("Makanan"), h.category("Alat Tulis")
    h.product(s, admin, "Kopi robusta", cat=food, tkdn=50)
    h.product(s, admin, "Kopi arabika", cat=food, tkdn=10)
    h.product(s, admin, "Kertas", cat=office)
    results = run(q="kopi")
    assert results.facets.total == 2
    assert results.facets.categories == {food.id: 2}
    assert results.facets.labels == {"pdn": 2, "tkdn40": 1, "umk": 2, "lokal": 2}
    filtered = run(kategori="alat-tulis")
    assert filtered.facets.total == 1
    assert filtered.facets.categories[food.id] == 2  # siblings keep their counts


def test_only_public_products_of_listable_suppliers(app, admin, create_supplier):
    shown = create_supplier("Tampil")
    suspended = create_supplier("Dibekukan")
    h.product(shown, admin, "Produk tampil")
    h.product(suspended, admin, "Produk dibekukan")
    h.product(shown, admin, "Produk draf", publish=False)
    suppliers.sanction_supplier(admin, suspended.org.supplier, Sanction.SUSPENDED, "Terlambat",
                                TODAY + timedelta(days=10), TODAY)
    db.session.commit()
    assert names(run()) == ["Produk tampil"]
    later = search.search(search.parse_query(MultiDict()), TODAY + timedelta(days=11))
    assert set(names(later)) == {"Produk tampil", "Produk dibekukan"}  # the sanction ended by itself


def test_bad_parameters_are_explained_not_fatal(app, admin, create_supplier):
    h.product(create_supplier(), admin, "Kopi")
    results = run(kategori="tidak-ada", harga_min="murah", harga_maks="-5", urut="acak", hal="abc", label="palsu")
    assert names(results) == ["Kopi"]
    assert len(results.query.problems) == 4  # category, two prices, sort
    deep = run(hal="999999")
    assert deep.items == [] and deep.beyond_last_page and deep.query.page == search.MAX_PAGE


def test_relevance_sort_puts_name_matches_first(app, admin, create_supplier):
    s = create_supplier()
    h.product(s, admin, "Tas anyaman", description="Tas dari rotan dan pandan, cocok untuk kopi")
    h.product(s, admin, "Kopi bubuk", description="Kopi robusta")
    assert names(run(q="kopi", urut="relevan"))[0] == "Kopi bubuk"


def test_cached_facets_follow_every_change(app, admin, create_supplier):
    from pbj.services import catalogue

    s = create_supplier()
    first = h.product(s, admin, "Kopi satu")
    assert run(q="kopi").facets.total == 1
    assert run(q="kopi").facets.total == 1  # served again (from the cache)
    second = h.product(s, admin, "Kopi dua")
    assert run(q="kopi").facets.total == 2  # a new product invalidates
    catalogue.archive_product(s, first)
    db.session.commit()
    assert run(q="kopi").facets.total == 1  # a changed product invalidates
    suppliers.sanction_supplier(admin, s.org.supplier, Sanction.SUSPENDED, "Terlambat",
                                TODAY + timedelta(days=3), TODAY)
    db.session.commit()
    assert run(q="kopi").facets.total == 0  # hidden suppliers are part of the key
    assert second.status.value == "published"
