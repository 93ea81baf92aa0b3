"""Reports (/laporan) and the meter on the desk, on the hand-built world of
tests/spending_helpers.py (figures worked out by hand there and in test_spending.py)."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from pbj.models.accounts import Role
from tests import spending_helpers
from tests.order_helpers import page_text


@pytest.fixture
def world(app, create_org, create_user, create_supplier):
    return spending_helpers.build(create_org, create_user, create_supplier)


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())  # a BOM, for Excel
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def _xlsx(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def test_page_chart_csv_and_xlsx_agree_to_the_rupiah(client, auth, world):
    auth.login(world.auditor)
    page = client.get("/laporan/bulanan?tahun=2026")
    assert page.status_code == 200
    text = page_text(page)
    # Dinas Alpha, January: order 1 = 1.200.000 committed, received and paid; UMK 1.200.000 = 100 %.
    # February: orders 2 and 3 = 1.500.000 + 160.000 = 1.660.000; received 600.000 + 160.000.
    # The total: 3.390.000 committed, 2.460.000 received, 1.700.000 paid, UMK 41,00 %.
    for words in ("Rp 1.200.000", "Rp 1.660.000", "Rp 760.000", "Rp 3.390.000", "Rp 2.460.000", "Rp 1.700.000",
                  "41,00%"):
        assert words in text
    rows = _csv(client, "/laporan/unduh?tabel=bulanan&format=csv&tahun=2026")
    header, body = rows[0], rows[1:]
    committed, umk_share = header.index("Nilai terikat (SP terbit)"), header.index("Porsi UMK")
    by_month = {(r[0], r[1]): r for r in body}
    assert by_month[("Dinas Alpha", "Jan")][committed] == "1200000"
    assert by_month[("Dinas Alpha", "Feb")][committed] == "1660000"
    assert by_month[("Dinas Beta", "Mar")][committed] == "530000"
    assert body[-1][0] == "Total" and body[-1][committed] == "3390000" and body[-1][umk_share] == "41.00"
    sheet = _xlsx(client, "/laporan/unduh?tabel=bulanan&format=xlsx&tahun=2026")
    assert sheet.cell(1, 1).font.bold
    last = sheet.max_row
    assert sheet.cell(last, committed + 1).value == 3_390_000
    assert sheet.cell(last, committed + 1).number_format == '"Rp" #,##0'
    assert sheet.cell(last, umk_share + 1).value == pytest.approx(0.41)
    assert sheet.cell(last, umk_share + 1).number_format == "0.00%"
    # The month chart: its points carry the same committed values per month.
    summary = client.get("/laporan/?tahun=2026").get_data(as_text=True)
    committed_line = re.findall(r'<circle[^>]*data-value="(\d+)"><title>Terikat,', summary)
    assert committed_line[:3] == ["1200000", "1660000", "530000"]
    # The UMK bars: Alpha 47,55 %, Beta 5,66 %, like the summary table and its CSV.
    assert re.findall(r'<rect[^>]*data-value="([\d.]+)"', summary) == ["47.55", "5.66"]
    ranking = _csv(client, "/laporan/unduh?tabel=ringkasan&format=csv&tahun=2026")
    assert [r[1] for r in ranking[1:]] == ["Dinas Alpha", "Dinas Beta"]
    assert "47.55" in ranking[1] and "5.66" in ranking[2]


def test_opd_users_see_only_their_own_opd(client, auth, world):
    auth.login(world.pp_a)
    text = page_text(client.get(f"/laporan/bulanan?tahun=2026&opd={world.opd_b}"))
    assert "Dinas Alpha" in text and "Dinas Beta" not in text
    rows = _csv(client, f"/laporan/unduh?tabel=penyedia&format=csv&tahun=2026&opd={world.opd_b}")
    assert [r[1] for r in rows[1:]] == ["PT Dua Jaya", "Toko Satu"]  # Alpha's suppliers only


def test_suppliers_cannot_read_reports(client, auth, create_supplier, world):
    auth.login(create_supplier())
    assert client.get("/laporan/").status_code == 403


@pytest.mark.parametrize("query", ["tahun=abc", "tahun=99999999999999999999", "dari=13&sampai=0", "dari=5&sampai=2",
                                   "opd=-1", "opd=999999", "kategori=x", "tahun=2026&kategori=999999"])
def test_bad_parameters_are_ignored_with_a_message(client, auth, world, query):
    auth.login(world.admin)
    response = client.get(f"/laporan/?{query}")
    assert response.status_code == 200
    assert "tidak dapat dibaca" in page_text(response)


def test_unknown_export_is_404(client, auth, world):
    auth.login(world.admin)
    assert client.get("/laporan/unduh?tabel=rahasia&format=csv").status_code == 404
    assert client.get("/laporan/unduh?tabel=bulanan&format=pdf").status_code == 404


def test_csv_and_xlsx_neutralise_formulas_in_text(client, auth, app, world):
    from pbj.extensions import db
    from pbj.models.accounts import Organisation

    db.session.get(Organisation, world.s1).name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    auth.login(world.admin)
    rows = _csv(client, "/laporan/unduh?tabel=penyedia&format=csv&tahun=2026")
    assert "'=HYPERLINK(\"http://x\")" in [r[1] for r in rows]
    sheet = _xlsx(client, "/laporan/unduh?tabel=penyedia&format=xlsx&tahun=2026")
    names = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert "'=HYPERLINK(\"http://x\")" in names and sheet.cell(2, 2).data_type == "s"


def test_charts_are_labelled_images(client, auth, world):
    auth.login(world.admin)
    page = client.get("/laporan/?tahun=2026").get_data(as_text=True)
    assert page.count('role="img"') == 2 and page.count("<desc") == 2 and page.count('id="data-') == 2
    assert "<script" not in page.split("<main", 1)[-1]


def test_the_desk_shows_the_meter_with_numbers_and_words(client, auth, world, pinned_clock):
    from datetime import datetime

    pinned_clock(datetime(2026, 6, 1, 3))
    auth.login(world.bendahara_a)
    text = page_text(client.get("/meja"))
    # UMK 1.360.000 of the budget 5.000.000 = 27,20 %, red; of spending 47,55 %, green.
    assert "27,20% (Rp 1.360.000 dari Rp 5.000.000) Di bawah target" in text
    assert "47,55% (Rp 1.360.000 dari Rp 2.860.000) Target tercapai" in text


def test_report_pages_stay_within_the_page_budget(client, auth, world):
    from tests.web.test_budgets import PAGE_BUDGET, _compressed

    auth.login(world.admin)
    sizes = {url: _compressed(client.get(url).data) for url in (
        "/laporan/?tahun=2026", "/laporan/bulanan?tahun=2026", "/laporan/penyedia?tahun=2026",
        "/laporan/pembayaran?tahun=2026", "/admin/anggaran?tahun=2026")}
    assert all(0 < size <= PAGE_BUDGET for size in sizes.values()), sizes


def test_admin_enters_a_budget_and_a_bad_csv_lists_its_rows(client, auth, world):
    auth.login(world.admin)
    page = client.get("/admin/anggaran?tahun=2026")
    assert "Rp 5.000.000" in page_text(page)
    saved = client.post("/admin/anggaran?tahun=2026", data={"opd_id": str(world.opd_b), "year": "2026",
                                                            "amount": "2.000.000"})
    assert saved.status_code == 303
    assert "Rp 2.000.000" in page_text(client.get("/admin/anggaran?tahun=2026"))
    refused = client.post("/admin/anggaran/impor?tahun=2026", data={
        "file": (io.BytesIO(b"kode_opd;tahun;anggaran\nDINA;2026;9.000.000\nXYZ;2026;1\n"), "a.csv")})
    assert refused.status_code == 422
    assert "Baris 3:" in page_text(refused) and "XYZ" in page_text(refused)
    assert "Rp 9.000.000" not in page_text(client.get("/admin/anggaran?tahun=2026"))
