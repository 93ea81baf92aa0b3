"""The audit trail as people read it (issue 14): who with role and organisation, the
object linked, details in words, filters in a shareable URL, the CSV and the chain check."""
import csv
import io
from datetime import datetime

import pytest

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import audit
from pbj.services import orders as orders_service
from tests import order_helpers as oh

text_of = oh.page_text


def entries(response) -> str:
    """The entries table only (the filter's options name every action too)."""
    html = response.get_data(as_text=True)
    start = html.find("/audit/ekspor.csv")  # the download link sits between the filters and the entries
    return html[start:html.find("</main>", start)]


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.without_pp55(oh.parties(create_org, create_user, create_supplier))


@pytest.fixture
def auditor(create_user, auth):
    user = create_user(Role.AUDITOR, name="Ibu Inspektur")
    auth.login(user)
    return user


def test_an_order_entry_names_who_links_the_order_and_words_the_details(p, client, auditor):
    order = oh.place(p, oh.listed(p, price=100_000, stock=None), 3)
    db.session.commit()
    page = text_of(client.get("/audit/?aksi=order.submitted"))
    assert p.pp.name in page and "Pejabat Pengadaan (PP)" in page and p.pp.org.name in page
    html = client.get("/audit/?aksi=order.submitted").get_data(as_text=True)
    assert f'href="/pesanan/{order.id}"' in html
    assert "Rp 300.000" in page  # the total, in rupiah, not 300000
    assert "order.submitted" in html  # the code stays, small, for those who search by it


def test_the_system_is_worded_and_chain_check_is_shown_with_its_time(client, auditor, pinned_clock, runner):
    audit.record("order.expired", None, object_type="orders", object_id=7, actor_label="system",
                 missed_by="supplier")
    db.session.commit()
    assert "Sistem (tugas terjadwal)" in text_of(client.get("/audit/?aksi=order.expired"))
    assert "Rantai belum pernah diperiksa" in text_of(client.get("/audit/"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    page = text_of(client.get("/audit/"))
    assert "Utuh" in page and "Sistem (tugas terjadwal)" in page
    checked = client.post("/audit/periksa", data={})
    assert checked.status_code == 303
    page = entries(client.get("/audit/?aksi=audit."))
    assert "Jejak audit diperiksa" in page and auditor.name in page


def test_filters_narrow_and_bad_parameters_never_break_the_page(p, client, auditor, create_user):
    oh.place(p, oh.listed(p), 2)
    db.session.commit()
    pp_only = entries(client.get(f"/audit/?pengguna={p.pp.id}"))
    assert "Pesanan diajukan" in pp_only and "Produk dibuat" not in pp_only
    by_org = entries(client.get(f"/audit/?organisasi={p.supplier.org_id}"))
    assert "Produk dibuat" in by_org and "Pesanan diajukan" not in by_org
    future = entries(client.get("/audit/?dari=2999-01-01"))
    assert "Pesanan diajukan" not in future and "Tidak ada entri yang cocok" in future
    today = oh.today().isoformat()
    assert "Pesanan diajukan" in entries(client.get(f"/audit/?dari={today}&sampai={today}&objek=orders"))
    for junk in ("x", "-1", "9" * 40, "%00", "2026-13-45", "' OR 1=1"):
        for name in ("pengguna", "organisasi", "aksi", "objek", "id", "dari", "sampai", "hal"):
            assert client.get("/audit/", query_string={name: junk}).status_code == 200
            assert client.get("/audit/ekspor.csv", query_string={name: junk}).status_code == 200


def test_csv_has_a_bom_semicolons_words_and_no_formulas(p, client, auditor):
    audit.record("auth.login_failed", None, object_type="users", actor_label="=HYPERLINK(\"x\")",
                 reason="=1+1")
    oh.place(p, oh.listed(p, price=100_000, stock=None), 3)
    db.session.commit()
    response = client.get("/audit/ekspor.csv?aksi=order.")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nomor", "Waktu (WIB)", "Pelaku"]
    assert len(rows) == 2 and rows[1][4] == "Pesanan diajukan" and "Rp 300.000" in rows[1][7]
    everything = client.get("/audit/ekspor.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in everything and ";=" not in everything


def test_only_admins_and_auditors_may_check_the_chain(p, client, auth):
    auth.login(p.pp)
    assert client.post("/audit/periksa").status_code == 403
    assert client.get("/audit/ekspor.csv").status_code == 403


def test_case_file_of_a_negotiated_order_with_a_partial_bast(p, client, auth, create_user):
    from pbj.clock import utcnow

    order = oh.place(p, oh.listed(p, price=100_000, stock=None), 10)
    orders_service.make_offer(p.pp, order, {order.items[0].id: 95_000}, "Harga grosir", utcnow())
    orders_service.answer_offer(p.supplier, order, True, utcnow())
    orders_service.confirm(p.supplier, order, utcnow())
    orders_service.approve(p.ppk, order, utcnow(), oh.today())
    orders_service.ship(p.supplier, order, {order.items[0].id: 6}, "SJ-01", oh.today(), "", utcnow(), oh.today())
    db.session.commit()
    auth.login(p.ppk)
    assert client.post(f"/pesanan/{order.id}/bast", data={f"qty_{order.items[0].id}": "6", "rest": "open",
                                                          "signed_on": oh.today().isoformat()}).status_code == 303
    auth.logout()
    assert client.get(f"/audit/pesanan/{order.id}").status_code in (302, 303)  # logged out: to the login
    auth.login(create_user(Role.AUDITOR))
    response = client.get(f"/audit/pesanan/{order.id}")
    page, html = text_of(response), response.get_data(as_text=True)
    assert response.status_code == 200
    assert order.sp_number in page and "Tetap ditunggu pengirimannya" in page
    assert order.handovers[0].number in page
    for document in order_documents(order):
        assert document.fingerprint in html and f"/dokumen/{document.code}" in html
    assert "Pesanan diajukan" in page and "BAST sebagian" in page  # the audit entries, worded
    assert "Harga grosir" in page and "Rp 95.000" in page  # the negotiation round
    assert client.get("/audit/pesanan/999999").status_code == 404


def order_documents(order):
    from pbj.services import documents

    return documents.issued_all(order)
