"""Order documents: canonical content, fingerprint, public code, QR code (pbj.services.documents)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.audit import AuditEntry
from pbj.models.orders import Order, OrderDocument, OrderDocumentKind as Kind, OrderStatus
from pbj.services import documents, taxes
from pbj.services.errors import DomainError
from tests import catalogue_helpers as h
from tests.document_helpers import make_order
from tests.refusals import refused


@dataclass
class World:
    opd: Organisation
    ppk: User
    supplier: User
    products: list


@pytest.fixture
def world(app, create_org, create_user, create_supplier) -> World:
    opd = create_org(OrgKind.OPD, name="Dinas Pendidikan", code="DISDIK")
    admin = create_user(Role.ADMIN)
    supplier = create_supplier("CV Kertas Jaya")
    products = [h.product(supplier, admin, "Kertas HVS A4", price=111_000),
                h.product(supplier, admin, "Map Plastik", price=5_550)]
    return World(opd, create_user(Role.PPK, org=opd, name="Budi Santoso"), supplier, products)


def order_of(w: World, **kw) -> Order:
    """12 reams and 20 folders ordered; 10 and 20 received (BAST signed)."""
    kw.setdefault("status", OrderStatus.RECEIVED)
    kw.setdefault("received", {0: 10, 1: 20})
    kw.setdefault("bast_number", f"BAST-{w.opd.code}-{db.session.scalar(sa.select(sa.func.count(Order.id)))}")
    kw.setdefault("sp_number", f"SP-{w.opd.code}-{db.session.scalar(sa.select(sa.func.count(Order.id)))}")
    return make_order(w.opd, w.ppk, w.supplier.org_id,
                      [(w.products[0], 12, 111_000), (w.products[1], 20, 5_550)], **kw)


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


# -- Fingerprint -----------------------------------------------------------------

def test_fingerprint_is_sha256_of_canonical_json():
    content = {"b": 1, "a": "Kertas é", "d": date(2026, 1, 2), "r": Decimal("1.5"), "n": None}
    canonical = '{"a":"Kertas é","b":1,"d":"2026-01-02","n":null,"r":"1.5"}'
    assert documents.fingerprint(content) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_fingerprint_does_not_depend_on_key_order():
    one = {"kind": "sp", "items": [{"name": "A", "quantity": 1}], "total": 5}
    other = {"total": 5, "items": [{"quantity": 1, "name": "A"}], "kind": "sp"}
    assert documents.fingerprint(one) == documents.fingerprint(other)
    assert re.fullmatch(r"[0-9a-f]{64}", documents.fingerprint(one))


def test_fingerprint_refuses_values_without_a_canonical_form():
    with pytest.raises(TypeError):
        documents.fingerprint({"x": object()})


def test_fingerprint_changes_with_any_part_of_the_content(world):
    order = order_of(world)
    base = documents.content(order, Kind.SURAT_PESANAN, number="SP-1", issued_on=date(2026, 11, 26))
    assert documents.fingerprint(base) == documents.fingerprint(
        documents.content(order, Kind.SURAT_PESANAN, number="SP-1", issued_on=date(2026, 11, 26)))

    other_number = documents.content(order, Kind.SURAT_PESANAN, number="SP-2", issued_on=date(2026, 11, 26))
    other_day = documents.content(order, Kind.SURAT_PESANAN, number="SP-1", issued_on=date(2026, 11, 27))
    order.items[0].agreed_price -= 1
    cheaper = documents.content(order, Kind.SURAT_PESANAN, number="SP-1", issued_on=date(2026, 11, 26))
    prints = {documents.fingerprint(c) for c in (base, other_number, other_day, cheaper)}
    assert len(prints) == 4


def test_content_does_not_depend_on_the_language(world, app):
    order = order_of(world)
    made = []
    for locale in ("id", "en"):
        with app.test_request_context(), force_locale(locale):
            made.append(documents.fingerprint(
                documents.content(order, Kind.INVOICE, number="INV-1", issued_on=date(2026, 12, 1))))
    assert made[0] == made[1]


# -- Content ------------------------------------------------------------------------

def test_purchase_order_commits_the_ordered_quantities(world):
    order = order_of(world)
    sp = documents.content(order, Kind.SURAT_PESANAN, number="SP-1", issued_on=date(2026, 11, 26))
    assert [(i["name"], i["quantity"], i["unit_price"], i["line_total"]) for i in sp["items"]] == [
        ("Kertas HVS A4", 12, 111_000, 1_332_000), ("Map Plastik", 20, 5_550, 111_000)]
    assert sp["total"] == order.total == 1_443_000
    assert sp["opd"] == {"name": "Dinas Pendidikan", "code": "DISDIK", "address": None}
    profile = world.supplier.org.supplier
    assert sp["supplier"] == {"name": "CV Kertas Jaya", "npwp": profile.npwp, "nib": profile.nib,
                              "address": profile.address}
    assert sp["ppk"] == {"name": "Budi Santoso", "nip": None}
    assert (sp["payment_method"], sp["penalty_per_mille_per_day"]) == ("ls", 1)
    assert (sp["rup_code"], sp["budget"]) == ("41234567", {"year": 2026, "source": "apbd"})
    assert "tax" not in sp


def test_bast_and_invoice_cover_the_received_quantities(world):
    order = order_of(world)
    for kind in (Kind.BAST, Kind.INVOICE):
        data = documents.content(order, kind, number="X-1", issued_on=date(2026, 12, 10))
        assert [i["quantity"] for i in data["items"]] == [10, 20]
        assert data["total"] == order.received_total == 1_221_000
    bast = documents.content(order, Kind.BAST, number="X-1", issued_on=date(2026, 12, 10))
    assert bast["bast"]["number"] == order.handover.number
    assert [i["ordered_quantity"] for i in bast["items"]] == [12, 20]
    invoice = documents.content(order, Kind.INVOICE, number="X-1", issued_on=date(2026, 12, 10))
    assert [b["number"] for b in invoice["basts"]] == [order.handover.number]
    assert [(i["ordered_quantity"], i["cancelled_quantity"]) for i in invoice["items"]] == [(12, 0), (20, 0)]


@pytest.mark.parametrize("is_pkp, has_pp55", [(True, False), (False, True), (True, True), (False, False)])
def test_invoice_carries_the_tax_breakdown_of_the_received_value(world, is_pkp, has_pp55):
    order = order_of(world, is_pkp=is_pkp, has_pp55=has_pp55)
    tax = documents.content(order, Kind.INVOICE, number="INV-1", issued_on=date(2026, 12, 10))["tax"]
    expected = taxes.breakdown(order.received_total, is_pkp=is_pkp, has_pp55=has_pp55)
    assert (tax["gross"], tax["dpp"], tax["ppn"], tax["pph"], tax["net"]) == (
        expected.gross, expected.dpp, expected.ppn, expected.pph, expected.net)
    assert (tax["ppn_rate"], tax["pph22_rate"], tax["pph_final"], tax["pp55"]) == (
        str(expected.ppn_rate), str(expected.pph22_rate), expected.pph_final, has_pp55)
    assert tax["gross"] == 1_221_000  # what was received, not the 1.443.000 ordered


def test_pkp_invoice_numbers(world):
    order = order_of(world, is_pkp=True, received={0: 10, 1: 0})  # 10 × 111.000
    tax = documents.content(order, Kind.INVOICE, number="INV-1", issued_on=date(2026, 12, 10))["tax"]
    # 1.110.000 of goods: P0 = 1.000.000, DPP nilai lain floor(916.666,67) = 916.666, PPN floor(109.999,92)
    # = 109.999; at most Rp 2 juta: the treasurer collects neither PPN nor PPh 22, the supplier remits PPN.
    assert (tax["gross"], tax["dpp"], tax["ppn"], tax["pph"], tax["net"], tax["supplier_pays"]) == (
        1_110_000, 1_000_001, 109_999, 0, 1_110_000, 109_999)


# -- Issuing ------------------------------------------------------------------------

def test_issue_records_a_random_code_and_the_fingerprint_of_the_content(world):
    order = order_of(world)
    doc = documents.issue_document(order, Kind.SURAT_PESANAN, order.sp_number)
    assert doc.id is not None and doc.order_id == order.id and doc.number == order.sp_number
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,24}", doc.code)  # ≥ 128 random bits, fits the column
    assert doc.fingerprint == documents.fingerprint(documents.content(order, Kind.SURAT_PESANAN))
    assert documents.content(order, Kind.SURAT_PESANAN)["issued_on"] == documents.issue_date(doc)
    assert documents.find_by_code(doc.code) is doc


def test_codes_are_unique_and_not_derived_from_the_order(world):
    codes = set()
    for _ in range(3):
        order = order_of(world)
        for kind in Kind:
            codes.add(documents.issue_document(order, kind, f"{kind.value}-{order.id}").code)
    assert len(codes) == 9
    assert not any(str(world.opd.code) in c for c in codes)


def test_second_document_of_the_same_kind_is_refused(world):
    order = order_of(world)
    first = documents.issue_document(order, Kind.SURAT_PESANAN, "SP-1")
    with refused(DomainError, "This document was already issued for this order."):
        documents.issue_document(order, Kind.SURAT_PESANAN, "SP-1b")
    assert documents.issue_document(order, Kind.BAST, "BAST-1").kind is Kind.BAST  # other kinds still fine
    assert db.session.scalars(sa.select(OrderDocument).where(
        OrderDocument.order_id == order.id, OrderDocument.kind == Kind.SURAT_PESANAN)).all() == [first]


@pytest.mark.parametrize("number", ["", "   ", "N" * 61])
def test_a_document_needs_a_number(world, number):
    with refused(DomainError, "A document needs a number of at most 60 characters."):
        documents.issue_document(order_of(world), Kind.SURAT_PESANAN, number)


def test_issue_flushes_without_committing_or_auditing(world):
    order = order_of(world)
    db.session.commit()
    before = audit_count()
    doc = documents.issue_document(order, Kind.SURAT_PESANAN, "SP-1")
    code = doc.code
    assert audit_count() == before  # the calling transition writes the entry
    db.session.rollback()
    assert documents.find_by_code(code) is None


def test_issued_document_still_matches_until_the_order_data_changes(world):
    order = order_of(world)
    doc = documents.issue_document(order, Kind.BAST, "BAST-1")
    assert documents.fingerprint(documents.content(order, Kind.BAST)) == doc.fingerprint
    # What the BAST recorded is what it prints: a changed record no longer matches.
    order.handover.lines = [dict(line, received=line["received"] - 1) for line in order.handover.lines]
    assert documents.fingerprint(documents.content(order, Kind.BAST)) != doc.fingerprint


def test_content_of_a_document_not_issued_needs_number_and_date(world):
    with pytest.raises(LookupError):
        documents.content(order_of(world), Kind.INVOICE)


# -- Public code and summary --------------------------------------------------------------

@pytest.mark.parametrize("code", ["", "../x", "a/b", "\x00", "abc\x00def", "x" * 25, "x" * 5000,
                                  "' OR 1=1 --", "ÄÖÜ", "%00", None, 12])
def test_malformed_codes_find_nothing(world, code):
    order = order_of(world)
    documents.issue_document(order, Kind.SURAT_PESANAN, "SP-1")
    assert documents.find_by_code(code) is None


def test_public_summary_holds_no_personal_data(world):
    order = order_of(world)
    doc = documents.issue_document(order, Kind.INVOICE, "INV-1")
    summary = documents.public_summary(doc)
    assert set(summary) == {"kind", "number", "issued_on", "order_status", "in_force", "opd_name",
                            "supplier_name", "total", "fingerprint"}
    text = repr(summary)
    profile = world.supplier.org.supplier
    for private in (world.ppk.name, world.ppk.email, world.supplier.email, profile.npwp, profile.phone,
                    profile.address, order.delivery_address):
        assert private not in text
    assert summary["total"] == order.received_total


@pytest.mark.parametrize("status, in_force", [
    (OrderStatus.APPROVED, True), (OrderStatus.PAID, True), (OrderStatus.COMPLETED, True),
    (OrderStatus.CANCELLED, False), (OrderStatus.REJECTED, False), (OrderStatus.EXPIRED, False)])
def test_a_document_of_an_order_that_ended_is_no_longer_in_force(world, status, in_force):
    order = order_of(world)
    doc = documents.issue_document(order, Kind.SURAT_PESANAN, "SP-1")
    order.status = status
    assert documents.is_in_force(doc) is in_force
    assert documents.public_summary(doc)["in_force"] is in_force


# -- QR code ------------------------------------------------------------------------

def test_qr_svg_is_inline_svg_and_depends_only_on_the_url():
    url = "https://katalog.singkawangkota.go.id/dokumen/abcDEF123_-xyz"
    svg = documents.qr_svg(url)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<script" not in svg.lower()
    assert documents.qr_svg(url) == svg
    assert documents.qr_svg(url + "x") != svg


def test_qr_svg_encodes_the_url_at_level_m():
    import segno

    url = "http://localhost/dokumen/abcDEF123_-xyz"
    expected = segno.make(url, error="m", micro=False)
    assert expected.error == "M"
    # Same symbol: the same data at the same level gives the same SVG.
    assert documents.qr_svg(url) == expected.svg_inline(scale=3, border=4, light="#fff", svgclass="qr")


def test_qr_svg_title_is_escaped():
    svg = documents.qr_svg("http://localhost/dokumen/x", title='<script>alert("x")</script>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_documents_issued_before_the_new_contents_keep_their_fingerprints(world):
    """An SP and a BAST issued before the SP carried NIP, addresses and terms (content
    shape 1, set by the 2026_12_01_0006 migration) still verify as unchanged once the
    officials get a NIP and the OPD an address; documents issued now cover those too."""
    order = order_of(world)
    old = {}
    for kind, number in ((Kind.SURAT_PESANAN, "SP-LAMA"), (Kind.BAST, "BAST-LAMA")):
        document = documents.issue_document(order, kind, number)
        # As the migration leaves a document issued before: shape 1 and its fingerprint.
        document.content_version = 1
        document.fingerprint = documents.fingerprint(documents.content(order, kind, version=1))
        old[kind] = document
    sp_v1 = documents.content(order, Kind.SURAT_PESANAN)
    assert sp_v1["ppk"] == {"name": "Budi Santoso"} and "payment_method" not in sp_v1
    assert "nib" not in sp_v1["supplier"] and "address" not in sp_v1["opd"]
    world.ppk.nip = "198503122010011001"
    world.opd.address = "Jl. Firdaus No. 1, Singkawang"
    db.session.flush()
    for kind, document in old.items():
        assert documents.fingerprint(documents.content(order, kind)) == document.fingerprint, kind
    # The shape issued today carries the NIP and the address, so changing them shows.
    now_shape = documents.content(order, Kind.SURAT_PESANAN, version=documents.CONTENT_VERSION)
    assert now_shape["ppk"]["nip"] == "198503122010011001"
    assert now_shape["opd"]["address"] == "Jl. Firdaus No. 1, Singkawang"
    assert documents.fingerprint(now_shape) != old[Kind.SURAT_PESANAN].fingerprint
