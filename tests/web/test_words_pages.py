"""The Indonesian pages speak Indonesian: no raw status codes, no "Saring", no "sidik digital".

A small demo world (the same code as `make run`'s demo: suppliers in every verification
state, products in every state, orders in every state) is walked as every role: every GET
page with ids of real objects, in the default language. The text a person reads (tags,
scripts and styles removed) must not carry an enum's code as a whole word — a status
written as "approved" instead of "Disetujui" — nor the words this catalogue retired.
Dotted codes ("order.approved", shown small under the label on the audit trail for
searching) are codes, not words, and are left out.
"""
from __future__ import annotations

import html
import random
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.catalogue import Product, ProductStatus
from pbj.models.orders import OfferAnswer, OfferSide, Order, OrderDocument, OrderStatus
from pbj.models.suppliers import Sanction, SupplierDocument, SupplierProfile, VerificationStatus
from tests.route_walk import page_urls, register_arguments

# Codes that are English words: on an Indonesian page they can only be a code that leaked.
CODED = (OrderStatus, ProductStatus, VerificationStatus, OfferAnswer, OfferSide)
RAW_CODES = sorted({m.value for enum in CODED for m in enum}
                   | {Sanction.SUSPENDED.value, Sanction.BLACKLISTED.value})
RAW = re.compile(r"(?<![\w.\-/])(" + "|".join(RAW_CODES) + r")(?![\w.\-/])")
RETIRED = re.compile(r"\b(saring\w*|sidik digital)\b", re.IGNORECASE)


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def walk(app):
    credentials = demo.seed(random.Random(8), products=60, orders=36)
    db.session.commit()
    by_role = defaultdict(list)
    for role, email, password in credentials:
        by_role[role].append((email, password))
    orders = db.session.scalars(sa.select(Order)).all()
    busiest_opd = max({o.opd_id for o in orders}, key=lambda opd: sum(o.opd_id == opd for o in orders))
    busiest_supplier = max({o.supplier_id for o in orders},
                           key=lambda s: sum(o.supplier_id == s for o in orders))

    def member(role, org_id=None):
        for email, password in by_role[role]:
            user_org = db.session.scalar(sa.select(User.org_id).where(User.email == email))
            if org_id is None or user_org == org_id:
                return email, password
        raise AssertionError(f"no {role} in organisation {org_id}")

    logins = {"anonymous": None, "admin": member("admin"), "auditor": member("auditor"),
              "pp": member("pp", busiest_opd), "ppk": member("ppk", busiest_opd),
              "bendahara": member("bendahara", busiest_opd), "penyedia": member("penyedia", busiest_supplier)}
    order_ids = set()
    for status in OrderStatus:  # an order in every state, on the buyer's and the supplier's side
        for owner in (lambda o: o.opd_id == busiest_opd, lambda o: o.supplier_id == busiest_supplier):
            order_ids.update([o.id for o in orders if owner(o) and o.status is status][:1])
    products = db.session.scalars(sa.select(Product).order_by(Product.id)).all()
    product_ids = {next(p.id for p in products if p.status is s) for s in ProductStatus
                   if any(p.status is s for p in products)}
    product_ids.update(p.id for p in products if p.supplier_id == busiest_supplier)
    profiles = db.session.scalars(sa.select(SupplierProfile).order_by(SupplierProfile.org_id)).all()
    one_per_state = {}
    for profile in profiles:  # a supplier in every verification state, and the sanctioned ones
        one_per_state.setdefault(profile.verification, profile.org_id)
    suppliers = {busiest_supplier, *one_per_state.values(),
                 *(s.org_id for s in profiles if s.sanction is not Sanction.NONE)}
    arguments = {
        "order_id": sorted(order_ids),
        "product_id": sorted(product_ids)[:14],
        "org_id": sorted(suppliers)[:12],
        "user_id": sorted(db.session.scalars(sa.select(User.id).limit(4)).all()),
        "category_id": db.session.scalars(sa.text("SELECT id FROM categories ORDER BY id LIMIT 2")).all(),
        "code": db.session.scalars(sa.select(OrderDocument.code).limit(3)).all(),
        "doc_id": db.session.scalars(sa.select(SupplierDocument.id).limit(1)).all(),
        "kind": ["sp", "bast", "tagihan"],
        **register_arguments(busiest_opd),
    }
    urls = page_urls(app, arguments)
    # The order list under every status tab.
    tabs = ("berjalan", "menunggu-penyedia", "menunggu-ppk", "dikirim", "menunggu-bayar", "selesai", "batal")
    urls += [f"/pesanan?status={word}" for word in tabs]
    return logins, sorted(set(urls))


def _log_in(client, credentials) -> None:
    if credentials is not None:
        email, password = credentials
        assert client.post("/masuk", data={"email": email, "password": password}).status_code == 303


@pytest.mark.slow  # seeding and a few hundred pages: seconds, like the payload corpus
def test_indonesian_pages_show_no_raw_codes_and_no_retired_words(app, walk):
    logins, urls = walk
    assert len(urls) > 60
    problems: set[str] = set()
    pages = 0
    for role, credentials in logins.items():
        client = app.test_client()
        _log_in(client, credentials)
        for url in urls:
            response = client.get(url)
            if response.mimetype != "text/html" or response.status_code >= 300:
                continue
            pages += 1
            text = visible_text(response.get_data(as_text=True))
            for match in RAW.finditer(text):
                around = text[max(0, match.start() - 40):match.end() + 20]
                problems.add(f"{url}: raw code {match.group(1)!r} in …{around!r}")
            for match in RETIRED.finditer(text):
                problems.add(f"{url}: retired word {match.group(0)!r}")
    assert pages > 200
    assert not problems, "\n".join(sorted(problems))


def test_the_walk_would_see_a_raw_code():
    # The patterns themselves: a leaked status is caught, a label or a dotted code is not.
    assert RAW.search("status sekarang: approved)")
    assert RAW.search("Sisi: buyer")
    assert not RAW.search("Disetujui")
    assert not RAW.search("order.approved")
    assert RETIRED.search("Saring hasil") and RETIRED.search("sidik digital")
    page = '<p title="approved">Disetujui</p><script>var s="approved"</script>'
    assert visible_text(page) == " Disetujui  "


def test_audit_details_are_shown_in_words(app):
    from types import SimpleNamespace

    from pbj.web.labels import detail_items

    entry = SimpleNamespace(detail_data={
        "side": "buyer", "total": 2325000, "complete": True, "paid_on": "2026-11-20", "received": {"30": 100},
        "role": "bendahara", "sanction": "suspended", "brand_new_key": "as stored"})
    with app.test_request_context():
        assert detail_items(entry) == [
            ("Pihak", "pembeli"), ("Total", "Rp 2.325.000"), ("Semua sudah dikirim", "Ya"),
            ("Tanggal bayar", "20 Nov 2026"), ("Jumlah yang diterima", "#30: 100"),
            ("Peran", "Bendahara Pengeluaran"), ("Sanksi", "Dibekukan"), ("brand_new_key", "as stored")]


def test_issue_10_audit_details_are_shown_in_words(app):
    """The details the rules of issue 10 write: who missed a deadline, the ground for going
    down a preference step, a revision's changed fields, a package's figures, a holiday."""
    from types import SimpleNamespace

    from pbj.web.labels import detail_items

    entry = SimpleNamespace(detail_data={
        "missed_by": "supplier", "preference_ground": "not_available", "fields": ["name", "unit"],
        "pagu": 150000000, "method": "e_purchasing", "source": "apbd", "day": "2026-02-17",
        "declared_scale": "mikro", "kind": "cuti_bersama", "assisted": True})
    with app.test_request_context():
        shown = dict(detail_items(entry))
    assert shown["Batas waktu terlewati oleh"] == "penyedia"
    assert shown["Alasan turun tingkat preferensi"] == "tidak tersedia"
    assert shown["Berubah"] == "Nama produk, Satuan"
    assert shown["Pagu"] == "Rp 150.000.000"
    assert shown["Tanggal"] == "17 Feb 2026"
    assert shown["Didaftarkan dengan bantuan UKPBJ"] == "Ya"
    assert "e_purchasing" not in shown.values() and "apbd" not in shown.values()
    assert "mikro" not in shown.values() and "cuti_bersama" not in shown.values()
