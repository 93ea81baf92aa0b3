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
import re

import pytest

from pbj.models.catalogue import ProductStatus
from pbj.models.orders import OfferAnswer, OfferSide, OrderStatus
from pbj.models.suppliers import Sanction, VerificationStatus
from tests.route_walk import demo_walk

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
    return demo_walk(app)


def _log_in(client, credentials) -> None:
    if credentials is not None:
        email, password = credentials
        assert client.post("/masuk", data={"email": email, "password": password}).status_code == 303


@pytest.mark.markup
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
