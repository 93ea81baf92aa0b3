"""Catalogue search: parse the public query, filter, rank, count facets.

One function, `search()`, answers a `/katalog` request in a fixed number of
queries whatever the number of results: the hidden suppliers, the catalogue
version, one grouped count (category facets, label facets and the total;
cached per version), the page's ids, and those products with their images and
suppliers loaded alongside.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.catalogue import CatalogueCount, CatalogueVersion, Category, Preference, Product, ProductStatus
from pbj.models.suppliers import SupplierProfile
from pbj.services.catalogue import hidden_supplier_ids

PER_PAGE = 24
LABELS = ("pdn", "tkdn40", "umk", "lokal")
# The steps of Perpres 46/2025 Art. 66(2) a buyer may keep to (`tingkat`): the highest
# preference rank shown. a: certified TKDN >= 25 %; b: any certified TKDN; c: or in SIINas.
TIERS = {"a": Preference.TKDN_25, "b": Preference.TKDN_LOW, "c": Preference.SIINAS}
SORTS = ("prioritas", "relevan", "termurah", "termahal", "terbaru")
MAX_TOKENS = 8
MAX_PAGE = 10_000
MAX_PRICE = 10**13
# Above this many text matches, walking a sort index beats fetching and sorting the matches.
BROAD_MATCH = 2000
# On PostgreSQL, up to this many text matches are fetched through the GIN index and sorted,
# rather than found by walking a sort index (see `search`; bench/run.py measures both).
PG_SORT_MATCHES = 10_000


@dataclass
class CatalogueQuery:
    q: str = ""
    category: Category | None = None
    price_min: int | None = None
    price_max: int | None = None
    labels: tuple[str, ...] = ()
    tier: str | None = None  # a key of TIERS
    in_stock: bool = False
    sort: str = "prioritas"
    page: int = 1
    # Messages about parts of the request that could not be used.
    problems: list = field(default_factory=list)

    def args(self, **changes) -> dict:
        """URL parameters for this query, with some changed (for links)."""
        values = {
            "q": self.q or None,
            "kategori": self.category.slug if self.category else None,
            "harga_min": self.price_min,
            "harga_maks": self.price_max,
            "label": list(self.labels) or None,
            "tingkat": self.tier,
            "stok": 1 if self.in_stock else None,
            "urut": self.sort if self.sort != "prioritas" else None,
            "hal": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}


def _price(raw: str | None, name: str, problems: list) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    digits = raw.strip().replace(".", "").replace(",", "").replace("Rp", "").replace(" ", "")
    # isdecimal, not isdigit: int() refuses "²"; and no more digits than a price can have.
    if not digits.isdecimal() or len(digits) > 14 or int(digits) > MAX_PRICE:
        problems.append(_l("The price “%(value)s” is not a whole number of rupiah and was ignored.", value=raw[:30]))
        return None
    return int(digits)


def category_arg(args, problems: list) -> Category | None:
    """The category named by the `kategori` slug; an unknown one is ignored with a message."""
    slug = (args.get("kategori") or "").strip()
    if not slug:
        return None
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug[:80]))
    if category is None:
        problems.append(_l("There is no category “%(slug)s”; showing all categories.", slug=slug[:40]))
    return category


def parse_query(args) -> CatalogueQuery:
    """Read `/katalog` parameters; anything unusable is ignored with a message, never an error."""
    problems: list = []
    q = " ".join((args.get("q") or "").split())[:200]
    category = category_arg(args, problems)
    price_min = _price(args.get("harga_min"), "harga_min", problems)
    price_max = _price(args.get("harga_maks"), "harga_maks", problems)
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
        problems.append(_l("The lowest price was above the highest; the two were swapped."))
    labels = tuple(label for label in LABELS if label in args.getlist("label"))
    tier = (args.get("tingkat") or "").strip() or None
    if tier is not None and tier not in TIERS:
        problems.append(_l("Unknown domestic-preference step; showing every product."))
        tier = None
    sort = args.get("urut") or "prioritas"
    if sort not in SORTS:
        problems.append(_l("Unknown sort order; sorted by priority."))
        sort = "prioritas"
    try:
        page = int(args.get("hal") or 1)
    except ValueError:
        page = 1
    page = min(max(page, 1), MAX_PAGE)
    return CatalogueQuery(q=q, category=category, price_min=price_min, price_max=price_max, labels=labels,
                          tier=tier, in_stock=args.get("stok") == "1", sort=sort, page=page, problems=problems)


def search_tokens(text: str) -> list[str]:
    """Lower-case words without accents; everything else (quotes, *, AND, NEAR, brackets) is dropped."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", plain)[:MAX_TOKENS]


def _text_filter(tokens: list[str]):
    """(where-clause, rank, name match) for the tokens, on this database.

    The rank orders `relevan` (bm25 / ts_rank). The name match — every word in the
    product's name — is the cheap relevance that breaks ties in the other sorts:
    a set look-up per row instead of a score for every match.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        tsquery = sa.func.to_tsquery("simple", " & ".join(f"{t}:*" for t in tokens))
        # Weight A is the name (see the search_vector column in the migration).
        name_query = sa.func.to_tsquery("simple", " & ".join(f"{t}:*A" for t in tokens))
        vector = sa.literal_column("products.search_vector")
        return vector.op("@@")(tsquery), -sa.func.ts_rank(vector, tsquery), vector.op("@@")(name_query)
    # FTS5: every token quoted (so it is never an operator) and prefix-matched.
    match = sa.text("product_search MATCH :match").bindparams(match=" ".join(f'"{t}"*' for t in tokens))
    ids = sa.select(sa.literal_column("rowid")).select_from(sa.text("product_search")).where(match)
    name_match = sa.text("product_search MATCH :name_match").bindparams(
        name_match=" ".join(f'name : "{t}"*' for t in tokens))
    name_ids = sa.select(sa.literal_column("rowid")).select_from(sa.text("product_search")).where(name_match)
    # The rank is a separate subquery: computing bm25 for every match is the costly part,
    # paid only when the page is ordered by relevance.
    hits = (sa.select(sa.literal_column("rowid").label("id"), sa.literal_column("rank").label("rank"))
            .select_from(sa.text("product_search")).where(match).subquery("hits"))
    return Product.id.in_(ids), hits, Product.id.in_(name_ids)


@dataclass
class Facets:
    total: int
    categories: dict[int, int]
    labels: dict[str, int]
    in_stock: int
    # Matches per (priority, name match) within the chosen category: how the default order
    # of a broad word is paged (SQLite, see _broad_page). Empty when not counted.
    buckets: dict[tuple[int, int], int] = field(default_factory=dict)

    def count_for(self, category: Category) -> int:
        """Products in a category and, for a top category, in its sub-categories."""
        return self.categories.get(category.id, 0) + sum(self.categories.get(c.id, 0) for c in category.children)


@dataclass
class Results:
    query: CatalogueQuery
    items: list[Product]
    facets: Facets
    pages: int

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages

    @property
    def beyond_last_page(self) -> bool:
        return self.facets.total > 0 and self.query.page > self.pages


@dataclass(frozen=True)
class CatalogueState:
    """Everything a catalogue page shows depends on besides its URL, in three small reads.

    `version`: the products' data version (max `updated_at`, max id; any write to a
    product moves it, a photo added or removed included); `hidden`: the suppliers whose
    products are not shown today; `categories`: every category's id, parent, position,
    name and slug. Two states are equal only when every count, card and category of
    every page is the same, so rendered pages can be kept under it (pbj.web.page_cache).
    """
    version: tuple
    hidden: tuple[int, ...]
    categories: tuple[tuple, ...]


def catalogue_state(today: date) -> CatalogueState:
    categories = tuple(tuple(row) for row in db.session.execute(_categories_statement()))
    return CatalogueState(_catalogue_version(), tuple(hidden_supplier_ids(today)), categories)


@functools.cache
def _categories_statement():
    c = Category.__table__.c  # plain rows: no ORM loading for a check made on every request
    return sa.select(c.id, c.parent_id, c.position, c.name, c.slug).order_by(c.id)


def search(query: CatalogueQuery, today: date, per_page: int = PER_PAGE,
           state: CatalogueState | None = None) -> Results:
    """One page of results and the facet counts. `state`, when the caller read it already
    (`catalogue_state(today)`), saves reading the hidden suppliers and the version again."""
    hidden = list(state.hidden) if state is not None else hidden_supplier_ids(today)
    base = [Product.status == ProductStatus.PUBLISHED]
    if hidden:
        base.append(Product.supplier_id.not_in(hidden))
    price = Product.unit_price
    if query.sort not in ("termurah", "termahal") and db.session.get_bind().dialect.name == "sqlite":
        # Only a price sort should walk the price index; otherwise SQLite would range-scan
        # it and sort thousands of rows by priority. `+ 0` keeps the test, hides the index.
        price = Product.unit_price + 0
    if query.price_min is not None:
        base.append(price >= query.price_min)
    if query.price_max is not None:
        base.append(price <= query.price_max)
    label_filters = {
        "pdn": Product.is_pdn.is_(True),
        "tkdn40": Product.preference == int(Preference.TKDN_BMP_40),
        "umk": Product.supplier_is_umk.is_(True),
        "lokal": Product.supplier_is_local.is_(True),
    }
    base += [label_filters[label] for label in query.labels]
    if query.tier is not None:
        base.append(Product.preference <= int(TIERS[query.tier]))
    in_stock = Product.ready_stock
    if query.in_stock:
        base.append(in_stock)

    tokens = search_tokens(query.q)
    rank = None
    hits = None
    text_where = None
    name_match = None
    if tokens:
        text_where, rank_or_hits, name_match = _text_filter(tokens)
        if isinstance(rank_or_hits, sa.sql.Subquery):
            hits = rank_or_hits
        else:
            rank = rank_or_hits

    category_ids = None
    if query.category is not None:
        category_ids = [query.category.id] + [c.id for c in query.category.children]

    facet_key = (tuple(tokens), query.price_min, query.price_max, query.labels, query.tier, query.in_stock,
                 tuple(hidden))
    if not tokens and query.price_min is None and query.price_max is None and query.tier is None:
        # No words, prices or step: add up the trigger-kept counts instead of reading every
        # product (they keep one flag per label, not the rank a step needs).
        def count():
            return _counted_facet_rows(query.labels, query.in_stock, hidden)
    else:
        def count():
            # SQLite text searches also count per priority and name match: that lets a broad
            # word page through its default order without sorting whole tiers (_broad_page).
            return _facet_rows(base + ([text_where] if text_where is not None else []), label_filters, in_stock,
                               bucket=(Product.priority, name_match) if hits is not None else None)
    facets = _sum_facets(_cached_facet_rows(facet_key, count, state.version if state is not None else None),
                         label_filters, category_ids)

    if facets.total == 0:
        return Results(query, [], facets, 1)  # nothing matches: no page to fetch
    pages = max(1, -(-facets.total // per_page))
    if query.page > pages:
        return Results(query, [], facets, pages)
    start = (query.page - 1) * per_page
    if not tokens and query.sort == "prioritas" and category_ids is not None and len(category_ids) > 1:
        return Results(query, _load(_category_page(base, category_ids, start, per_page)), facets, pages)
    where = list(base)
    if category_ids is not None:
        where.append(Product.category_id.in_(category_ids))
    if hits is not None and query.sort == "prioritas" and facets.total > BROAD_MATCH:
        ids = _broad_page(where, text_where.right, name_match.right, facets.buckets,
                          (query.page - 1) * per_page, per_page)
        return Results(query, _load(ids), facets, pages)
    ordered_by_rank = hits is not None and query.sort == "relevan"
    if text_where is not None and not ordered_by_rank:  # the rank join below filters by itself
        if hits is not None and query.sort == "terbaru" and facets.total > BROAD_MATCH:
            # A broad word on SQLite: walk the date index and probe the matches, instead
            # of fetching every match by id and sorting them all. `+ 0` hides the rowid
            # from the planner so that it takes the walk.
            text_where = (Product.id + 0).in_(text_where.right)
        where.append(text_where)
    # The page's ids first, then the products with their suppliers and images: sorting ids
    # is cheap, where joining every candidate row before the sort was not.
    order = _order(query.sort, rank, name_match)
    if (text_where is not None and hits is None and facets.total <= PG_SORT_MATCHES
            and db.session.get_bind().dialect.name == "postgresql"):
        # PostgreSQL would walk a sort index and test every row it passes against the
        # words (the whole first tier for the default order: 37,000 rows, 60 ms at 100k);
        # for a few thousand matches, fetching them through the GIN index and sorting
        # them is several times cheaper. The sort keys are hidden from the sort indexes.
        order = [_unindexed(key) for key in order]
    stmt = sa.select(Product.id).where(*where)
    if ordered_by_rank:
        # bm25 rank from FTS5 (lower is better), joined only when it orders the page.
        stmt = stmt.join(hits, hits.c.id == Product.id)
        rank = hits.c.rank
    stmt = stmt.order_by(*order)
    ids = list(db.session.scalars(stmt.limit(per_page).offset(start)))
    items = _load(ids)
    return Results(query, items, facets, pages)


def _load(ids: list[int]) -> list[Product]:
    """The products of a page, in the page's order, with suppliers and photos."""
    if not ids:
        return []
    loaded = {p.id: p for p in db.session.scalars(
        sa.select(Product).where(Product.id.in_(ids)).options(
            joinedload(Product.supplier).joinedload(SupplierProfile.org),
            selectinload(Product.images),
        )).unique()}
    return [loaded[i] for i in ids]


def _category_page(where, category_ids: list[int], start: int, size: int) -> list[int]:
    """One page of a top category in the default order (priority, id).

    Given the whole list of categories at once, SQLite reads every product of them
    through `ix_products_facets` and sorts them all (180 ms for a top category of
    16,000 products at 100,000), and PostgreSQL walks the whole catalogue's priority
    index past the other categories (21 ms). Each category's first `start + size` rows,
    walked in order on `ix_products_category_priority`, and merged, are the same page
    (1 ms on either).
    """
    parts = [sa.select(Product.id, Product.priority).where(*where, Product.category_id == category_id)
             .order_by(Product.priority, Product.id).limit(start + size).subquery()
             for category_id in category_ids]
    merged = sa.union_all(*[sa.select(part.c.id, part.c.priority) for part in parts]).subquery()
    return list(db.session.scalars(sa.select(merged.c.id).order_by(merged.c.priority, merged.c.id)
                                   .limit(size).offset(start)))


def _broad_page(where, match_ids, name_ids, buckets, start: int, size: int) -> list[int]:
    """One page of a broad word in the default order: priority, name match first, id.

    Sorting a whole tier by name match costs a pass over the tier (170 ms at a
    million products). The facet pass counted the matches per (priority, name
    match), so the page's rows are known to lie in one or two of those buckets;
    each is read by walking the index (status, priority, id) within its priority
    and probing the matches, which stops as soon as the rows are found.
    """
    ids: list[int] = []
    for (priority, named), n in sorted(buckets.items(), key=lambda b: (b[0][0], -b[0][1])):
        if start >= n:
            start -= n
            continue
        take = min(n - start, size - len(ids))
        # `+ 0` hides the rowid from the planner so that it walks the priority index.
        text = (Product.id + 0).in_(name_ids) if named else sa.and_(
            (Product.id + 0).in_(match_ids), (Product.id + 0).not_in(name_ids))
        ids += db.session.scalars(sa.select(Product.id).where(*where, Product.priority == priority, text)
                                  .order_by(Product.id).limit(take).offset(start))
        start = 0
        if len(ids) >= size:
            break
    return ids


def _unindexed(key):
    """A sort key of _order that no index provides, the same value and direction:
    `coalesce(x, x)` is x for every type (`+ 0` would not do for a date)."""
    if isinstance(key, sa.sql.elements.UnaryExpression) and key.modifier is not None:
        inner = sa.func.coalesce(key.element, key.element)
        return inner.desc() if key.modifier is sa.sql.operators.desc_op else inner.asc()
    return sa.func.coalesce(key, key) if isinstance(key, sa.orm.InstrumentedAttribute) else key


def _order(sort: str, rank, name_match):
    if sort == "termurah":
        return [Product.unit_price.asc(), Product.id.asc()]
    if sort == "termahal":
        return [Product.unit_price.desc(), Product.id.desc()]
    if sort == "terbaru":
        return [Product.published_at.desc(), Product.id.desc()]
    if sort == "relevan" and rank is not None:
        return [rank, Product.priority, Product.id]
    # prioritas: domestic-preference tier, then local UMK (both in `priority`), then
    # relevance. Relevance here is "every word in the name" rather than bm25: a set
    # look-up per row of the first tiers, where scoring every match of a broad word
    # costs ten times more at 100,000 products. "relevan" orders by the full score.
    # Then the older listing first.
    if name_match is None:
        return [Product.priority, Product.id]
    return [Product.priority, sa.case((name_match, 0), else_=1), Product.id]


# Facet counts do not depend on the category, the sort or the page (the chosen category's
# total is summed in Python), so every page, sort and category of one search shares one
# entry. An entry holds while no product changed: the key carries the catalogue's version
# (max updated_at and max id, two index look-ups) and the hidden suppliers of today.
# Per process, bounded. A miss costs a sum over catalogue_counts (no words, no prices) or
# one pass over the matching rows of the covering index ix_products_facets.
_FACET_CACHE: OrderedDict = OrderedDict()
FACET_CACHE_SIZE = 512


def _catalogue_version() -> tuple:
    return tuple(db.session.execute(_version_statement()).one())


@functools.cache
def _version_statement():
    # The commit-ordered counter, and the newest change and product: after a test empties
    # the tables the counter starts again, the times do not.
    p, v = Product.__table__.c, CatalogueVersion.__table__.c
    return sa.select(sa.select(v.n).where(v.id == 1).scalar_subquery(),
                     sa.select(sa.func.max(p.updated_at)).scalar_subquery(),
                     sa.select(sa.func.max(p.id)).scalar_subquery())


def _cached_facet_rows(key, count, version: tuple | None = None) -> list[tuple]:
    full_key = (db.session.get_bind().url.render_as_string(), version or _catalogue_version(), key)
    rows = _FACET_CACHE.get(full_key)
    if rows is None:
        rows = count()
        _FACET_CACHE[full_key] = rows
        while len(_FACET_CACHE) > FACET_CACHE_SIZE:
            _FACET_CACHE.popitem(last=False)
    else:
        _FACET_CACHE.move_to_end(full_key)
    return rows


def _facet_rows(base, label_filters, in_stock, bucket=None) -> list[tuple]:
    """One grouped query: per category (and per priority and name match when `bucket` is
    given), the count, each label's count and the in-stock count."""
    def count_if(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    if bucket is not None:
        priority, name_match = bucket
        keys = [Product.category_id, priority, sa.case((name_match, 1), else_=0)]
    else:
        keys = [Product.category_id, sa.null(), sa.null()]
    stmt = (sa.select(*keys, sa.func.count(), *[count_if(cond) for cond in label_filters.values()],
                      count_if(in_stock))
            .where(*base).group_by(*[k for k in keys if not isinstance(k, sa.sql.elements.Null)]))
    return [tuple(row) for row in db.session.execute(stmt)]


def _counted_facet_rows(labels, in_stock: bool, hidden) -> list[tuple]:
    """The rows of `_facet_rows` for a search without words or prices, added up from
    the trigger-kept catalogue_counts: a few thousand rows instead of every product."""
    c = CatalogueCount

    def count_if(condition):
        return sa.func.sum(sa.case((condition, c.n), else_=0))

    flags = {"pdn": c.is_pdn, "tkdn40": c.tkdn40, "umk": c.umk, "lokal": c.lokal}
    where = [flags[label].is_(True) for label in labels]
    if in_stock:
        where.append(c.in_stock.is_(True))
    if hidden:
        where.append(c.supplier_id.not_in(hidden))
    stmt = (sa.select(c.category_id, sa.func.sum(c.n), *[count_if(flags[name].is_(True)) for name in LABELS],
                      count_if(c.in_stock.is_(True)))
            .where(*where).group_by(c.category_id).having(sa.func.sum(c.n) > 0))
    return [(row[0], None, None, *(int(v or 0) for v in row[1:])) for row in db.session.execute(stmt)]


def _sum_facets(rows, label_filters, category_ids) -> Facets:
    """Counts per category (ignoring the category filter, so siblings show their numbers)
    and, within the chosen category, per label and per (priority, name match)."""
    per_category: dict[int, int] = {}
    labels = dict.fromkeys(label_filters, 0)
    buckets: dict[tuple[int, int], int] = {}
    total = stocked = 0
    chosen = set(category_ids) if category_ids is not None else None
    for category_id, priority, named, count, *label_counts, stock_count in rows:
        per_category[category_id] = per_category.get(category_id, 0) + count
        if chosen is None or category_id in chosen:
            total += count
            stocked += stock_count or 0
            for name, value in zip(label_filters, label_counts):
                labels[name] += value or 0
            if priority is not None:
                buckets[(priority, named)] = buckets.get((priority, named), 0) + count
    return Facets(total, per_category, labels, stocked, buckets)
