"""Hostile text everywhere, every page and fragment, every role: nothing comes out as markup.

A small demo world (organisations, suppliers, a catalogue and orders in every state,
made by the same code as `make run`'s demo) has every free-text column overwritten
with payloads: the tags htmx or a browser would act on, a template expression, an
attribute breakout. Then every GET route is requested as every role with ids of real
objects — as a full page, as an htmx fragment, and with every query parameter the views
read set to a payload — and the buying flow's messages that echo a product name are
driven through the cart. No HTML answer may carry a payload unescaped, and the escaped
payloads must actually be there (the walk reaches the pages that show them).
"""
from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.extensions import db
from pbj.models.catalogue import Product, ProductStatus
from pbj.models.orders import Order, OrderDocument, OrderStatus
from pbj.models.suppliers import SupplierDocument
from tests.route_walk import page_urls, register_arguments

pytestmark = pytest.mark.slow

PAYLOADS = (
    "<i hx-get=/akun hx-trigger=load>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "' onmouseover='",
)
# What each payload looks like if it escaped nobody's notice, and once escaped.
UNESCAPED = ("<i hx-get=/akun", "<img src=x onerror", "' onmouseover='")
ESCAPED = ("&lt;i hx-get=/akun hx-trigger=load&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
           "{{7*7}}", "&#39; onmouseover=&#39;")

# Every column a person types into (names, addresses, notes, reasons, comments …).
# Left out: identifiers, numbers and codes the services check or make (NIB, NPWP, region
# codes, SP numbers, slugs, e-mail addresses used to log in, hashes, stored file names).
FREE_TEXT = {
    "categories": ["name"],
    "organisations": ["name"],
    "suppliers": ["address", "kecamatan", "region_name", "phone", "verification_note", "sanction_reason"],
    "users": ["name"],
    "orders": ["rup_code", "delivery_address", "preference_explanation", "end_reason"],
    "products": ["name", "description", "unit", "delivery_area", "tkdn_certificate", "origin",
                 "rejection_reason"],
    "supplier_documents": ["original_name"],
    "deliveries": ["note_number", "note"],
    "handovers": ["notes"],
    "offers": ["note"],
    "order_items": ["name", "unit"],
    "rup_packages": ["name", "satker", "description"],
    "holidays": ["name"],
    "product_revisions": ["reason"],
    "payments": ["reference"],
    "ratings": ["comment", "reply"],
}
# The query parameters the views read (search, pagers, filters, redirects).
QUERY_PARAMETERS = ("q", "kategori", "harga_min", "harga_maks", "label", "urut", "stok", "hal", "aksi",
                    "next", "org", "status", "id", "opd", "tahun", "alasan", "tingkat", "jenis", "penyedia",
                    "pengguna", "organisasi", "objek", "dari", "sampai")
# Back with htmx: the full page again (docs/ARCHITECTURE.md, "htmx").
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def _payload(row_id: int, column: int, length: int | None) -> str:
    fitting = [p for p in PAYLOADS if length is None or len(p) <= length]
    return fitting[(row_id + column) % len(fitting)]


def _poison_free_text() -> None:
    """Overwrite every free-text value with payloads."""
    for name, columns in FREE_TEXT.items():
        table = db.metadata.tables[name]
        keys = list(table.primary_key.columns)
        for n, row in enumerate(db.session.execute(sa.select(*keys)).all()):
            values = {c: _payload(n, i, getattr(table.c[c].type, "length", None)) for i, c in enumerate(columns)}
            where = sa.and_(*(key == value for key, value in zip(keys, row)))
            db.session.execute(table.update().where(where).values(**values))
    db.session.commit()


def _append_hostile_audit_entries(orders) -> None:
    """The trail is append-only: new entries, by users whose names are now payloads,
    with payloads in their details (reasons, names), on real orders and suppliers."""
    from pbj.models.accounts import Role, User
    from pbj.services import audit

    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    for n, order in enumerate(orders[:8]):
        audit.record("order.cancelled", admin, order, reason=PAYLOADS[n % len(PAYLOADS)],
                     name=PAYLOADS[(n + 1) % len(PAYLOADS)])
        audit.record("supplier.rejected", admin, order.supplier, reason=PAYLOADS[(n + 2) % len(PAYLOADS)])
    db.session.commit()


@pytest.fixture
def world(app):
    credentials = demo.seed(random.Random(8), products=60, orders=36)
    db.session.commit()
    orders = db.session.scalars(sa.select(Order)).all()
    busiest_opd = max({o.opd_id for o in orders}, key=lambda opd: sum(o.opd_id == opd for o in orders))
    busiest_supplier = max({o.supplier_id for o in orders},
                           key=lambda s: sum(o.supplier_id == s for o in orders))
    by_role = defaultdict(list)
    for role, email, password in credentials:
        by_role[role].append((email, password))
    from pbj.models.accounts import User

    def member(role, org_id):
        for email, password in by_role[role]:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            if org_id is None or user.org_id == org_id:
                return email, password
        raise AssertionError(f"no {role} in organisation {org_id}")

    logins = {"anonymous": None, "admin": member("admin", None), "auditor": member("auditor", None),
              "pp": member("pp", busiest_opd), "ppk": member("ppk", busiest_opd),
              "bendahara": member("bendahara", busiest_opd), "penyedia": member("penyedia", busiest_supplier)}

    # Ids of real objects for the URL arguments: an order in every state on each side,
    # products in every state, suppliers, users, categories, documents.
    order_ids = set()
    for owner in (lambda o: o.opd_id == busiest_opd, lambda o: o.supplier_id == busiest_supplier):
        for status in OrderStatus:
            found = [o.id for o in orders if owner(o) and o.status is status]
            order_ids.update(found[:1])
    products = db.session.scalars(sa.select(Product)).all()
    product_ids = {next(p.id for p in products if p.status is s) for s in ProductStatus
                   if any(p.status is s for p in products)}
    product_ids.update(p.id for p in products if p.supplier_id == busiest_supplier)
    supplier_orgs = db.session.scalars(sa.select(Order.supplier_id).distinct()).all()
    arguments = {
        "order_id": sorted(order_ids),
        "product_id": sorted(product_ids)[:12],
        "org_id": sorted({busiest_supplier, *supplier_orgs[:2]}),
        "user_id": sorted(db.session.scalars(sa.select(User.id).limit(3)).all()),
        "category_id": db.session.scalars(sa.text("SELECT id FROM categories ORDER BY id LIMIT 2")).all(),
        "code": db.session.scalars(sa.select(OrderDocument.code).limit(2)).all(),
        "doc_id": db.session.scalars(sa.select(SupplierDocument.id).limit(1)).all(),
        "kind": ["sp", "bast", "tagihan"],
        **register_arguments(busiest_opd),
    }
    _poison_free_text()
    db.session.expire_all()
    _append_hostile_audit_entries([o for o in orders if o.opd_id == busiest_opd])
    return logins, arguments


def _problems(url: str, response) -> list[str]:
    if not response.mimetype == "text/html":
        return []
    body = response.get_data(as_text=True)
    return [f"{url} ({response.status_code}): unescaped {bad!r}" for bad in UNESCAPED if bad in body]


def _log_in(client, credentials) -> None:
    if credentials is not None:
        email, password = credentials
        response = client.post("/masuk", data={"email": email, "password": password})
        assert response.status_code == 303, f"login as {email}: {response.status_code}"


def test_no_payload_reaches_any_page_or_fragment_unescaped(app, world):
    logins, arguments = world
    urls = page_urls(app, arguments)
    assert len(urls) > 60
    problems: list[str] = []
    shown: dict[str, set[str]] = defaultdict(set)
    for role, credentials in logins.items():
        client = app.test_client()
        _log_in(client, credentials)
        for n, url in enumerate(urls):
            hostile = {name: PAYLOADS[(n + i) % len(PAYLOADS)] for i, name in enumerate(QUERY_PARAMETERS)}
            for headers, query in (({}, {}), ({"HX-Request": "true"}, {}), ({"HX-Request": "true"}, hostile),
                                   ({}, hostile), (HISTORY_RESTORE, {})):
                response = client.get(url, query_string=query, headers=headers)
                assert response.status_code < 500, f"{role} {url} {query}: {response.status_code}"
                problems += [f"{role}: {p}" for p in _problems(url, response)]
                full_page = headers in ({}, HISTORY_RESTORE) and response.mimetype == "text/html"
                if full_page and b"hx-swap-oob" in response.data:
                    problems.append(f"{role}: {url}: a full page carries out-of-band swaps")
                body = response.get_data(as_text=True)
                shown[role].update(p for p in ESCAPED if p in body)
    assert not problems, "\n".join(sorted(set(problems)))
    # Not a vacuous pass: every role saw the stored payloads, escaped, somewhere.
    for role in logins:
        assert shown[role] == set(ESCAPED), f"{role} saw only {shown[role]}"


def test_messages_that_echo_a_product_name_are_escaped(app, world):
    """Add to cart (htmx fragment and flash), the cart, a stock error, removal — as the PP."""
    logins, _arguments = world
    client = app.test_client()
    _log_in(client, logins["pp"])
    product = db.session.scalars(sa.select(Product).where(Product.status == ProductStatus.PUBLISHED,
                                                          Product.stock > 1)).first()
    # htmx: the fragment that says what went into the cart.
    fragment = client.post("/keranjang", data={"product_id": product.id, "quantity": product.min_order},
                           headers={"HX-Request": "true"})
    assert fragment.status_code in (200, 422)
    pages = [("fragment", fragment)]
    # Without JavaScript: a flash on the next page, then more than the stock (the stock error).
    pages.append(("flash", client.post("/keranjang", data={"product_id": product.id,
                                                           "quantity": product.min_order},
                                       follow_redirects=True)))
    pages.append(("stock error", client.post("/keranjang", data={"product_id": product.id,
                                                                 "quantity": product.stock + 5},
                                             follow_redirects=True)))
    pages.append(("cart", client.get("/keranjang")))
    problems = [f"{name}: {p}" for name, response in pages for p in _problems(name, response)]
    assert not problems, "\n".join(problems)
    bodies = " ".join(response.get_data(as_text=True) for _name, response in pages)
    assert re.search("|".join(re.escape(p) for p in ESCAPED), bodies)
