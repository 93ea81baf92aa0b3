"""Ranking, filters, labels and text search — on SQLite and (same suite) PostgreSQL."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import LegalTier, Preference, legal_tier, preference_of
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


# Worked by hand from Perpres 16/2018 Art. 66(2) as amended by Perpres 46/2025: TKDN
# counts only with a certificate; BMP is added only to certified TKDN.
@pytest.mark.parametrize("tkdn, bmp, pdn, certified, siinas, tier", [
    (40, 0, True, True, False, Preference.TKDN_BMP_40),       # 40 + 0 = 40 >= 40
    (25, 15, True, True, False, Preference.TKDN_BMP_40),      # 25 + 15 = 40 >= 40
    (39.99, 0, True, True, False, Preference.TKDN_25),        # 39.99 < 40, TKDN >= 25
    (25, 14.99, True, True, False, Preference.TKDN_25),       # 39.99 < 40, TKDN >= 25
    (24.99, 15, True, True, False, Preference.TKDN_LOW),      # 39.99 < 40, TKDN < 25
    (24.99, 0, True, True, False, Preference.TKDN_LOW),
    (60, 0, True, False, False, Preference.DOMESTIC),         # no certificate: TKDN does not count
    (60, 0, True, False, True, Preference.SIINAS),            # no certificate, in SIINas
    (0, 0, True, True, True, Preference.SIINAS),              # a certificate of 0 % counts for nothing
    (0, 0, True, False, False, Preference.DOMESTIC),
    (90, 15, False, True, True, Preference.IMPORT),           # imports rank last whatever they claim
])
def test_preference_tiers(tkdn, bmp, pdn, certified, siinas, tier):
    assert preference_of(round(tkdn * 100), round(bmp * 100), pdn, tkdn_certified=certified, siinas=siinas) is tier


@pytest.mark.parametrize("preference, step", [
    (Preference.TKDN_BMP_40, LegalTier.A_TKDN_25), (Preference.TKDN_25, LegalTier.A_TKDN_25),
    (Preference.TKDN_LOW, LegalTier.B_TKDN_LOW), (Preference.SIINAS, LegalTier.C_SIINAS),
    (Preference.DOMESTIC, LegalTier.D_DOMESTIC), (Preference.IMPORT, LegalTier.E_IMPORT),
])
def test_legal_tiers(preference, step):
    assert legal_tier(int(preference)) is step


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


# One product per rank; which a step keeps, by hand from Perpres 46/2025 Art. 66(2):
# a = certified TKDN >= 25 % (ranks 1, 2); b = any certified TKDN (1-3); c = or SIINas (1-4).
STEP_CASES = [
    ("a", {"TKDN 45", "TKDN 30"}),
    ("b", {"TKDN 45", "TKDN 30", "TKDN 10"}),
    ("c", {"TKDN 45", "TKDN 30", "TKDN 10", "SIINas"}),
    ("", {"TKDN 45", "TKDN 30", "TKDN 10", "SIINas", "Tanpa sertifikat", "Impor"}),
]


@pytest.mark.parametrize("step, expected", STEP_CASES)
def test_domestic_preference_step_filter(app, admin, create_supplier, step, expected):
    s = create_supplier(region_code="61.72")
    h.product(s, admin, "TKDN 45", tkdn=45)                      # rank 1 (45 + 0 >= 40)
    h.product(s, admin, "TKDN 30", tkdn=30)                      # rank 2
    h.product(s, admin, "TKDN 10", tkdn=10, bmp=15)              # rank 3 (10 + 15 < 40, TKDN < 25)
    h.product(s, admin, "SIINas", siinas=True)                   # rank 4
    h.product(s, admin, "Tanpa sertifikat", tkdn=60, certified=False)  # rank 5: the claim does not count
    h.product(s, admin, "Impor", pdn=False)                      # rank 6
    results = run(tingkat=step) if step else run()
    assert set(names(results)) == expected
    assert results.facets.total == len(expected)  # counted under the step, not from the label table
    assert results.query.problems == []


def test_unknown_step_is_ignored_with_a_message(app, admin, create_supplier):
    s = create_supplier(region_code="61.72")
    h.product(s, admin, "Impor", pdn=False)
    results = run(tingkat="<x>")
    assert names(results) == ["Impor"] and results.query.tier is None
    assert [str(p) for p in results.query.problems] == ["Tingkat preferensi tidak dikenal; semua produk ditampilkan."]
    assert results.query.args() == {}


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


# Fetch the matches and sort them, or walk the sort index (SQLite: BROAD_MATCH; PostgreSQL:
# PG_SORT_MATCHES): the same order either way.
@pytest.mark.parametrize("broad_match, pg_sort_matches", [(search.BROAD_MATCH, search.PG_SORT_MATCHES), (0, 0)],
                         ids=["sort-matches", "walk-index"])
def test_default_order_breaks_ties_by_name_match_within_a_tier(app, admin, create_supplier, monkeypatch,
                                                               broad_match, pg_sort_matches):
    monkeypatch.setattr(search, "BROAD_MATCH", broad_match)
    monkeypatch.setattr(search, "PG_SORT_MATCHES", pg_sort_matches)
    local = create_supplier("UMKM Lokal", region_code="61.72", scale=BusinessScale.MIKRO)
    # Listed first (lower id), but "kopi" is only in its description.
    h.product(local, admin, "Tas anyaman TKDN 45", tkdn=45, description="Cocok untuk wadah kopi")
    h.product(local, admin, "Kopi bubuk TKDN 45", tkdn=45)
    h.product(local, admin, "Kopi impor", pdn=False)  # the name matches, but imports come last
    h.product(local, admin, "Gelas kopi TKDN 45", tkdn=45)
    assert names(run(q="kopi")) == ["Kopi bubuk TKDN 45", "Gelas kopi TKDN 45", "Tas anyaman TKDN 45",
                                    "Kopi impor"]
    # Two words: the name must hold both to count as a name match.
    assert names(run(q="kopi tkdn")) == ["Kopi bubuk TKDN 45", "Gelas kopi TKDN 45", "Tas anyaman TKDN 45"]
    # Without words the listing order alone breaks ties.
    assert names(run())[:3] == ["Tas anyaman TKDN 45", "Kopi bubuk TKDN 45", "Gelas kopi TKDN 45"]
    # The other sorts too, both directions (the prices below, then the newer listing first).
    assert names(run(q="kopi", urut="termahal")) == names(run(q="kopi", urut="termurah"))[::-1]
    assert names(run(q="kopi", urut="terbaru")) == ["Gelas kopi TKDN 45", "Kopi impor", "Kopi bubuk TKDN 45",
                                                   "Tas anyaman TKDN 45"]


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


def _facets_both_ways(labels=(), in_stock=False):
    """Facet rows from the trigger-kept counts and from a scan of the products."""
    hidden = search.hidden_supplier_ids(TODAY)
    pairs = [("label", label) for label in labels] + ([("stok", "1")] if in_stock else [])
    query = search.parse_query(MultiDict(pairs))
    counted = search._sum_facets(search._counted_facet_rows(query.labels, query.in_stock, hidden),
                                 _label_filters(), None)
    from pbj.services.search import Product, ProductStatus
    base = [Product.status == ProductStatus.PUBLISHED]
    if hidden:
        base.append(Product.supplier_id.not_in(hidden))
    filters = _label_filters()
    base += [filters[label] for label in query.labels]
    in_stock_clause = sa.and_(Product.stock.is_not(None), Product.stock >= Product.min_order)
    if in_stock:
        base.append(in_stock_clause)
    scanned = search._sum_facets(search._facet_rows(base, filters, in_stock_clause), filters, None)
    return counted, scanned


def _label_filters():
    from pbj.services.search import Preference, Product
    return {
        "pdn": Product.is_pdn.is_(True),
        "tkdn40": Product.preference == int(Preference.TKDN_BMP_40),
        "umk": Product.supplier_is_umk.is_(True),
        "lokal": Product.supplier_is_local.is_(True),
    }


def test_trigger_kept_counts_match_a_scan_through_every_kind_of_change(app, admin, create_supplier):
    from pbj.models.catalogue import Product
    from pbj.services import catalogue

    local = create_supplier("UMKM Lokal", region_code="61.72", scale=BusinessScale.MIKRO)
    other = create_supplier("CV Sambas", region_code="61.01", scale=BusinessScale.MENENGAH)
    cat_a, cat_b = h.category("Alat Tulis"), h.category("Makanan")
    made = [
        h.product(local, admin, "Kertas A4", cat=cat_a, tkdn=45, stock=100),
        h.product(local, admin, "Pulpen", cat=cat_a, tkdn=10, stock=0),
        h.product(local, admin, "Kopi", cat=cat_b, stock=None),
        h.product(other, admin, "Map impor", cat=cat_a, pdn=False, stock=5, min_order=10),
        h.product(other, admin, "Keripik", cat=cat_b, tkdn=30, stock=50),
        h.product(other, admin, "Draf", cat=cat_b, publish=False),
    ]
    combos = [((), False), (("pdn",), False), (("tkdn40",), False), (("umk", "lokal"), False), ((), True),
              (("pdn",), True)]

    def check(expected_total):
        for labels, in_stock in combos:
            counted, scanned = _facets_both_ways(labels, in_stock)
            assert counted == scanned, (labels, in_stock)
        assert _facets_both_ways()[0].total == expected_total

    check(5)
    # A stock change by a bulk UPDATE (as an order reservation does), out of stock and back.
    db.session.execute(sa.update(Product).where(Product.id == made[0].id).values(stock=0))
    db.session.commit()
    check(5)
    assert _facets_both_ways((), True)[0].total == 1  # only Keripik is in stock now
    db.session.execute(sa.update(Product).where(Product.id == made[0].id).values(stock=7))
    db.session.commit()
    check(5)
    # A move to another category, a price-only edit (no count change), an archive, a publish.
    made[1].category_id = cat_b.id
    made[4].unit_price = 26_000
    db.session.commit()
    check(5)
    catalogue.archive_product(local, made[2])
    db.session.commit()
    check(4)
    catalogue.submit_product(other, made[5])
    catalogue.approve_product(admin, made[5])
    db.session.commit()
    check(5)
    # A sanctioned supplier's products drop out of the counts (hidden ids), then a delete.
    suppliers.sanction_supplier(admin, other.org.supplier, Sanction.SUSPENDED, "Terlambat",
                                TODAY + timedelta(days=3), TODAY)
    db.session.commit()
    check(2)
    # The app never deletes products; a script might (its images and history go first).
    from pbj.models.catalogue import PriceChange, ProductImage
    db.session.execute(sa.delete(ProductImage).where(ProductImage.product_id == made[0].id))
    db.session.execute(sa.delete(PriceChange).where(PriceChange.product_id == made[0].id))
    db.session.execute(sa.delete(Product).where(Product.id == made[0].id))
    db.session.commit()
    check(1)


def test_broad_words_page_through_the_same_order_as_a_full_sort(app, admin, create_supplier, monkeypatch):
    """The bucket-by-bucket pages of a broad word (SQLite) equal a full sort, page after page."""
    local = create_supplier("UMKM Lokal", region_code="61.72", scale=BusinessScale.MIKRO)
    outside = create_supplier("CV Luar", region_code="61.01", scale=BusinessScale.MENENGAH)
    for i, (who, tkdn, pdn, named) in enumerate([
        (local, 45, True, True), (outside, 45, True, False), (local, 30, True, False), (local, 45, True, False),
        (outside, 0, False, True), (local, 10, True, True), (outside, 30, True, True), (local, 45, True, True),
        (local, 10, True, False), (outside, 45, True, True), (local, 30, True, True), (outside, 0, False, False),
    ]):
        name = f"Kopi {i}" if named else f"Barang {i}"
        h.product(who, admin, name, tkdn=tkdn, pdn=pdn, description="" if named else "cocok dengan kopi")
    monkeypatch.setattr(search, "BROAD_MATCH", 10**9)
    reference = [p.name for p in search.search(search.parse_query(MultiDict([("q", "kopi")])), TODAY, 100).items]
    assert len(reference) == 12
    monkeypatch.setattr(search, "BROAD_MATCH", 0)
    for per_page in (1, 2, 5, 12):
        paged = []
        for page in range(1, -(-12 // per_page) + 1):
            query = search.parse_query(MultiDict([("q", "kopi"), ("hal", str(page))]))
            paged += [p.name for p in search.search(query, TODAY, per_page).items]
        assert paged == reference, per_page


def test_ready_stock_is_one_rule_in_python_and_sql(app, admin, create_supplier):
    """At least one minimum order on hand; made to order (no stock) is not ready stock."""
    from pbj.models.catalogue import Product

    supplier = create_supplier()
    cases = {"made to order": (None, 1), "none left": (0, 1), "below the minimum": (5, 10),
             "exactly the minimum": (10, 10), "above": (11, 10)}
    made = {name: h.product(supplier, admin, f"Barang {n}", stock=stock, min_order=minimum)
            for n, (name, (stock, minimum)) in enumerate(cases.items())}
    db.session.commit()
    assert {name for name, p in made.items() if p.ready_stock} == {"exactly the minimum", "above"}
    in_sql = set(db.session.scalars(sa.select(Product.id).where(Product.ready_stock)))
    assert in_sql == {made["exactly the minimum"].id, made["above"].id}


def test_a_top_category_pages_in_the_default_order_across_its_sub_categories(app, admin, create_supplier):
    """A top category's pages (merged per sub-category on SQLite) follow priority then id,
    page after page, leave out hidden suppliers and keep the filters."""
    local = create_supplier("UMKM Lokal", region_code="61.72", scale=BusinessScale.MIKRO)
    outside = create_supplier("CV Luar", region_code="61.01", scale=BusinessScale.MENENGAH)
    hidden = create_supplier("CV Ditangguhkan", region_code="61.72")
    h.category("Rumah Tangga")
    subs = [h.category(name, parent="Rumah Tangga") for name in ("Sapu", "Ember", "Lap")]
    made = []
    for i, (who, tkdn, pdn) in enumerate([
        (outside, 45, True), (local, 0, False), (local, 45, True), (outside, 10, True), (local, 30, True),
        (hidden, 45, True), (outside, 0, False), (local, 10, True), (local, 45, True), (outside, 30, True),
        (local, 45, True), (outside, 45, True),
    ]):
        made.append(h.product(who, admin, f"Barang {i}", tkdn=tkdn, pdn=pdn, cat=subs[i % 3],
                              stock=10 if i % 2 else 0))
    suppliers.sanction_supplier(admin, hidden.org.supplier, Sanction.SUSPENDED, "Terlambat",
                                TODAY + timedelta(days=3), TODAY)
    db.session.commit()
    shown = [p for p in made if p.supplier_id != hidden.org_id]
    for params, expected in [
        ({}, shown),
        ({"stok": "1"}, [p for p in shown if p.ready_stock]),
    ]:
        reference = [p.name for p in sorted(expected, key=lambda p: (p.priority, p.id))]
        assert len(reference) == len(expected) > 4
        for per_page in (1, 2, 5, 11):
            paged = []
            for page in range(1, -(-len(reference) // per_page) + 1):
                query = search.parse_query(MultiDict([("kategori", "rumah-tangga"), ("hal", str(page)),
                                                      *params.items()]))
                paged += names(search.search(query, TODAY, per_page))
            assert paged == reference, (params, per_page)
