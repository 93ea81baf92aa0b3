"""Printable order documents and the public verification page, through the web."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from pbj.extensions import db
from pbj.models.accounts import OrgKind, Role, User
from pbj.models.orders import Order, OrderDocument, OrderDocumentKind as Kind, OrderStatus
from pbj.services import documents
from pbj.web.labels import label
from tests import catalogue_helpers as h
from tests.conftest import PASSWORD
from tests.document_helpers import make_order

SLUGS = {"sp": Kind.SURAT_PESANAN, "bast": Kind.BAST, "tagihan": Kind.INVOICE}


@dataclass
class Case:
    order: Order
    docs: dict[str, OrderDocument]
    users: dict[str, User]


@pytest.fixture
def case(app, create_org, create_user, create_supplier) -> Case:
    """A received order of DISDIK from a PKP supplier with its SP, BAST and invoice issued."""
    opd = create_org(OrgKind.OPD, name="Dinas Pendidikan", code="DISDIK")
    admin = create_user(Role.ADMIN)
    supplier = create_supplier("CV Kertas Jaya")
    ppk = create_user(Role.PPK, org=opd, name="Budi Santoso", email="budi.ppk@disdik.go.id")
    paper = h.product(supplier, admin, "Kertas HVS A4", price=111_000)
    order = make_order(opd, ppk, supplier.org_id, [(paper, 12, 111_000)], status=OrderStatus.RECEIVED,
                       sp_number="027/SP/DISDIK/2026", received={0: 10}, bast_number="027/BAST/DISDIK/2026",
                       is_pkp=True)
    docs = {"sp": documents.issue_document(order, Kind.SURAT_PESANAN, order.sp_number),
            "bast": documents.issue_document(order, Kind.BAST, order.handover.number),
            "tagihan": documents.issue_document(order, Kind.INVOICE, "027/INV/2026")}
    db.session.commit()
    other_opd = create_org(OrgKind.OPD, name="Dinas Kesehatan", code="DINKES")
    users = {
        "pp": create_user(Role.PP, org=opd), "ppk": ppk, "bendahara": create_user(Role.BENDAHARA, org=opd),
        "supplier": supplier, "admin": admin, "auditor": create_user(Role.AUDITOR),
        "other_pp": create_user(Role.PP, org=other_opd), "other_ppk": create_user(Role.PPK, org=other_opd),
        "other_bendahara": create_user(Role.BENDAHARA, org=other_opd),
        "other_supplier": create_supplier("CV Saingan"),
    }
    return Case(order, docs, users)


def login(app, user):
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return client


def text_of(response) -> str:
    """The page's text without tags (the fingerprint is printed in groups of eight)."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


@pytest.mark.parametrize("who", ["pp", "ppk", "bendahara", "supplier", "admin", "auditor"])
@pytest.mark.parametrize("slug", ["sp", "bast", "tagihan"])
def test_parties_and_oversight_get_the_printable_document(app, case, who, slug):
    doc = case.docs[slug]
    response = login(app, case.users[who]).get(f"/pesanan/{case.order.id}/dokumen/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert doc.number in text and doc.fingerprint in text and doc.code in text
    assert "Kota Singkawang" in text and "Dinas Pendidikan" in text and "CV Kertas Jaya" in text
    assert "Budi Santoso" in text  # the PPK signs
    assert case.users["supplier"].org.supplier.npwp in text
    assert "<svg" in html and "<?xml" not in html
    assert f"http://localhost/dokumen/{doc.code}" in text
    assert "css/document.css" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_purchase_order_lists_what_was_ordered(app, case):
    text = text_of(login(app, case.users["pp"]).get(f"/pesanan/{case.order.id}/dokumen/sp"))
    assert "Kertas HVS A4" in text and "Rp 111.000" in text and "Rp 1.332.000" in text  # 12 ordered


def test_bast_lists_ordered_and_received(app, case):
    text = text_of(login(app, case.users["ppk"]).get(f"/pesanan/{case.order.id}/dokumen/bast"))
    assert "Rp 1.110.000" in text and "Rp 1.332.000" not in text  # 10 of 12 received
    assert "027/SP/DISDIK/2026" in text


def test_invoice_shows_the_tax_breakdown_of_what_was_received(app, case):
    text = text_of(login(app, case.users["supplier"]).get(f"/pesanan/{case.order.id}/dokumen/tagihan"))
    # 10 × Rp 111.000 of goods from a PKP supplier without PP 55, at most Rp 2 juta: PPN 109.999
    # (DPP nilai lain 916.666 × 12 %) not collected by the treasurer, no PPh 22; net = the gross.
    for amount in ("Rp 1.110.000", "Rp 1.000.001", "Rp 916.666", "Rp 109.999"):
        assert amount in text
    assert "DPP nilai lain" in text and "PPN 12%" in text
    assert "tidak dipungut bendahara: disetor sendiri oleh penyedia" in text
    assert "tidak dipungut: pembayaran paling banyak Rp 2.000.000" in text
    assert "Pajak yang wajib disetor sendiri oleh penyedia" in text


def test_invoice_of_a_pp55_supplier_shows_the_final_tax(app, case):
    order = db.session.get(Order, case.order.id)
    order.supplier_is_pkp, order.supplier_has_pp55 = False, True
    db.session.commit()
    text = text_of(login(app, case.users["pp"]).get(f"/pesanan/{order.id}/dokumen/tagihan"))
    assert "PP 55/2022" in text and "0,5%" in text and "PPh 22" not in text
    # 0.5 % of 1.110.000 = 5.550, goods at most Rp 2 juta: not withheld, the supplier pays it itself.
    assert "Rp 5.550" in text and "Pajak yang wajib disetor sendiri oleh penyedia" in text
    assert "(sudah termasuk pajak)" not in text and "termasuk PPN" not in text  # not PKP


@pytest.mark.parametrize("who", ["other_pp", "other_ppk", "other_bendahara", "other_supplier"])
@pytest.mark.parametrize("slug", ["sp", "bast", "tagihan"])
def test_another_opd_or_supplier_gets_404(app, case, who, slug):
    response = login(app, case.users[who]).get(f"/pesanan/{case.order.id}/dokumen/{slug}")
    assert response.status_code == 404
    assert case.docs[slug].fingerprint not in text_of(response)


def test_anonymous_is_sent_to_login(app, case, client):
    response = client.get(f"/pesanan/{case.order.id}/dokumen/sp")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].split("?")[0].endswith("/masuk")


def test_document_not_issued_yet_is_404(app, case):
    approved = make_order(case.order.opd, case.order.ppk, case.order.supplier_id,
                          [(case.order.items[0].product, 2, 111_000)], sp_number="028/SP/DISDIK/2026")
    documents.issue_document(approved, Kind.SURAT_PESANAN, approved.sp_number)
    db.session.commit()
    client = login(app, case.users["pp"])
    assert client.get(f"/pesanan/{approved.id}/dokumen/sp").status_code == 200
    assert client.get(f"/pesanan/{approved.id}/dokumen/bast").status_code == 404
    assert client.get(f"/pesanan/{approved.id}/dokumen/tagihan").status_code == 404


@pytest.mark.parametrize("path", ["/pesanan/{id}/dokumen/invoice", "/pesanan/{id}/dokumen/SP",
                                  "/pesanan/999999/dokumen/sp", "/pesanan/0/dokumen/sp",
                                  "/pesanan/99999999999999999999999/dokumen/sp"])
def test_unknown_kinds_and_orders_are_404(app, case, path):
    response = login(app, case.users["admin"]).get(path.format(id=case.order.id))
    assert response.status_code == 404


def test_print_stylesheet_sets_a4_and_hides_the_site_chrome(app, client):
    response = client.get("/static/css/document.css")
    css = response.get_data(as_text=True)
    response.close()
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    print_rules = css[css.index("@media print"):]
    assert ".site-header" in print_rules and ".site-footer" in print_rules and "display: none" in print_rules


# -- The public verification page -----------------------------------------------------------

@pytest.mark.parametrize("slug", ["sp", "bast", "tagihan"])
def test_verification_page_is_public_and_shows_no_personal_data(app, case, client, slug):
    doc = case.docs[slug]
    response = client.get(f"/dokumen/{doc.code}")
    assert response.status_code == 200
    text = text_of(response)
    html = response.get_data(as_text=True)
    assert doc.number in text and doc.fingerprint in text
    assert str(label(doc.kind)) in text and str(label(OrderStatus.RECEIVED)) in text
    assert "Dinas Pendidikan" in text and "CV Kertas Jaya" in text
    supplier = case.users["supplier"]
    profile = supplier.org.supplier
    for private in ("Budi Santoso", "budi.ppk@disdik.go.id", profile.npwp, supplier.email, profile.phone,
                    profile.address, supplier.name, case.order.delivery_address, case.users["pp"].email):
        assert private not in html, private
    assert 'name="robots" content="noindex"' in html


def test_verification_page_links_the_document_for_a_party_only(app, case):
    code = case.docs["sp"].code
    printable = f"/pesanan/{case.order.id}/dokumen/sp"
    assert printable in login(app, case.users["pp"]).get(f"/dokumen/{code}").get_data(as_text=True)
    assert printable not in login(app, case.users["other_pp"]).get(f"/dokumen/{code}").get_data(as_text=True)


def test_verification_page_says_when_the_order_was_cancelled_later(app, case, client):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("id"):  # the pages speak Indonesian by default
        ended = gettext("This document is no longer in force: the order ended after it was issued "
                        "(status: %(status)s).", status=label(OrderStatus.CANCELLED))
    assert ended and "%(status)s" not in ended
    code = case.docs["sp"].code
    assert ended not in text_of(client.get(f"/dokumen/{code}"))
    db.session.get(Order, case.order.id).status = OrderStatus.CANCELLED
    db.session.commit()
    assert ended in text_of(client.get(f"/dokumen/{code}"))
    printable = text_of(login(app, case.users["pp"]).get(f"/pesanan/{case.order.id}/dokumen/sp"))
    assert ended in printable


def test_unknown_code_gets_a_friendly_404(app, case, client):
    response = client.get("/dokumen/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    assert "Document not found" in text_of(response) or "Dokumen tidak ditemukan" in text_of(response)


@pytest.mark.parametrize("path", [
    "/dokumen/../x", "/dokumen/..%2Fx", "/dokumen/%00", "/dokumen/abc%00def", "/dokumen/" + "x" * 5000,
    "/dokumen/" + "A" * 25, "/dokumen/%27%20OR%201%3D1%20--", "/dokumen/%F0%9F%98%80", "/dokumen/%FF%FE",
    "/dokumen/%3Cscript%3E", "/dokumen/a%20b", "/dokumen/", "/dokumen/x?code=%00",
])
def test_weird_codes_are_refused_without_a_server_error(app, case, client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), response.status_code
    assert "<script>" not in response.get_data(as_text=True)


def test_qr_code_and_verify_address_use_public_base_url(app, case, monkeypatch):
    """Not the Host the request came in on: a printed paper must point at the real site."""
    app.config["PUBLIC_BASE_URL"] = "https://ekatalog.contoh.go.id"
    encoded = []
    real_qr_svg = documents.qr_svg
    monkeypatch.setattr(documents, "qr_svg", lambda url, **kw: encoded.append(url) or real_qr_svg(url, **kw))
    client, elsewhere = app.test_client(), "http://127.0.0.1:8080"
    assert client.post("/masuk", data={"email": case.users["pp"].email, "password": PASSWORD},
                       base_url=elsewhere).status_code == 303
    response = client.get(f"/pesanan/{case.order.id}/dokumen/sp", base_url=elsewhere)
    assert response.status_code == 200
    expected = f"https://ekatalog.contoh.go.id/dokumen/{case.docs['sp'].code}"
    assert encoded == [expected]
    assert expected in text_of(response) and "127.0.0.1" not in text_of(response)
