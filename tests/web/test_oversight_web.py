"""/pengawasan: the flags list with counts and filters, one flag's page, the review form
(no JavaScript), and bad input answered without a 500."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.flags import FlagKind, RiskFlag
from tests import order_helpers as oh


@pytest.fixture
def world(create_org, create_user, create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    product = oh.listed(p, stock=1000, age_hours=30)  # ordered 30 hours after listing: a fast order
    order = oh.place(p, product, quantity=1)
    return p, order, create_user(Role.AUDITOR)


def test_refresh_then_list_and_open_a_flag(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    response = client.post("/pengawasan/segarkan")
    assert response.status_code == 303
    flag = db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == FlagKind.FAST_ORDER)).one()
    listing = oh.page_text(client.get("/pengawasan/?jenis=fast_order&tinjau=belum"))
    assert f"#{flag.id}" in listing
    page = client.get(f"/pengawasan/{flag.id}")
    assert page.status_code == 200
    text = oh.page_text(page)
    # The hours in the reason and the numbers, without a trailing ".0".
    assert "Dipesan 30 jam setelah produk tayang (batas" in text and "30.0" not in text
    assert _numbers(page.get_data(as_text=True))["Jam sampai dipesan"] == "30"
    assert f"/pesanan/{order.id}" in page.get_data(as_text=True) or f"#{order.id}" in text


def test_review_by_form_keeps_the_flag_and_writes_the_trail(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    client.post("/pengawasan/segarkan")
    flag = db.session.scalars(sa.select(RiskFlag)).first()
    empty = client.post(f"/pengawasan/{flag.id}/tinjau", data={"note": "  "})
    assert empty.status_code == 422
    done = client.post(f"/pengawasan/{flag.id}/tinjau", data={"note": "Pesanan mendesak, ada nota dinas."})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(RiskFlag, flag.id).review_note == "Pesanan mendesak, ada nota dinas."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "flag.reviewed")) == 1
    reviewed = oh.page_text(client.get("/pengawasan/?tinjau=sudah"))
    assert f"#{flag.id}" in reviewed
    assert f"#{flag.id}" not in oh.page_text(client.get("/pengawasan/?tinjau=belum"))


@pytest.mark.parametrize("query", ["jenis=bukan-jenis", "tinjau=<script>", "opd=99999999999999999", "penyedia=-1",
                                   "hal=abc", "jenis=split&opd=1&penyedia=2&tinjau=sudah&hal=9999"])
def test_bad_filters_do_not_fail(client, auth, world, query):
    auth.login(world[2])
    assert client.get(f"/pengawasan/?{query}").status_code == 200


def test_unknown_flag_is_404(client, auth, world):
    auth.login(world[2])
    assert client.get("/pengawasan/999999").status_code == 404
    assert client.post("/pengawasan/999999/tinjau", data={"note": "x"}).status_code == 404


def test_the_case_file_lists_the_flags_naming_its_order(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    assert "Tidak ada tanda risiko untuk pesanan ini" in oh.page_text(client.get(f"/audit/pesanan/{order.id}"))
    assert client.post("/pengawasan/segarkan").status_code == 303
    flag = db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == FlagKind.FAST_ORDER)).one()
    html = client.get(f"/audit/pesanan/{order.id}").get_data(as_text=True)
    assert f'href="/pengawasan/{flag.id}"' in html  # the flag, linked, with its reason


# -- The numbers in words: dates as dates (WIB), money in rupiah, the decimal comma ------

def _received(p, product, *, late_days=0, waive=False):
    """An order through the services up to its BAST, late by `late_days`, waived if asked."""
    from datetime import timedelta

    from pbj.clock import utcnow
    from pbj.services import orders as order_service

    order = oh.place(p, product, quantity=10)
    order_service.confirm(p.supplier, order, utcnow())
    order_service.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    order_service.ship(p.supplier, order, {item.id: 10}, "SJ-1", oh.today(), "", utcnow(), oh.today())
    order.needed_by = oh.today() - timedelta(days=late_days)
    order_service.sign_handover(p.ppk, order, {item.id: 10}, "", oh.today(), None, utcnow(), oh.today(),
                                waive_penalty=waive, waiver_reason="Banjir menutup jalan" if waive else "")
    db.session.commit()
    return order


def _numbers(html: str) -> dict[str, str]:
    """The flag page's "numbers" list as {label: value}."""
    import re

    facts = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", facts))


@pytest.fixture
def planted(app, pinned_clock, create_org, create_user, create_supplier):
    """An order received on 1 October 2026 in Singkawang (30 September, 20.00 UTC) and unpaid
    on 20 November; a BAST three days late with its penalty waived; a product claiming TKDN
    40,25% on a certificate of 5 March 2019."""
    from datetime import date, datetime

    pinned_clock(datetime(2026, 11, 20, 1, 0))
    p = oh.parties(create_org, create_user, create_supplier)
    product = oh.listed(p, price=100_000, stock=None, age_hours=24 * 30)
    unpaid = _received(p, product)
    unpaid.received_at = datetime(2026, 9, 30, 20, 0)
    waived = _received(p, product, late_days=3, waive=True)
    product.tkdn_x100, product.tkdn_certificate = 4025, "TKDN-UJI/1"
    product.tkdn_certificate_date = date(2019, 3, 5)
    db.session.commit()
    auditor = create_user(Role.AUDITOR)
    from pbj.clock import city_today, utcnow
    from pbj.services import flags

    flags.refresh(utcnow(), city_today())
    db.session.commit()

    def flag(kind):
        return db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == kind)).one()

    return p, auditor, unpaid, waived, flag


def test_a_late_payment_flag_shows_the_day_received_as_a_city_date(client, auth, planted):
    p, auditor, unpaid, _waived, flag = planted
    late = flag(FlagKind.LATE_PAYMENT)
    assert late.numbers["received_on"] == "2026-10-01"  # the city's date, stored as ISO
    auth.login(auditor)
    html = client.get(f"/pengawasan/{late.id}").get_data(as_text=True)
    assert "Diterima tanggal 1 Okt 2026 dan belum dibayar setelah 14 hari kerja." in oh.page_text(client.get(
        f"/pengawasan/{late.id}"))
    assert _numbers(html) == {"Barang diterima pada": "1 Okt 2026", "Batas waktu pembayaran (hari kerja)": "14"}
    for page in (html, client.get("/pengawasan/?jenis=late_payment").get_data(as_text=True),
                 client.get(f"/audit/pesanan/{unpaid.id}").get_data(as_text=True)):
        assert "1 Okt 2026" in page and "2026-10-01" not in page and "received_on" not in page


def test_a_waived_penalty_flag_shows_rupiah(client, auth, planted):
    _p, auditor, _unpaid, waived, flag = planted
    penalty = flag(FlagKind.PENALTY_WAIVED)
    auth.login(auditor)
    html = client.get(f"/pengawasan/{penalty.id}").get_data(as_text=True)
    numbers = _numbers(html)
    # 10 × Rp 100.000 late by 3 days at 1 per mille a day: Rp 3.000, waived.
    assert numbers["Denda dibebaskan"] == "Rp 3.000"
    assert numbers["Nomor BAST"] == penalty.numbers["bast"]
    text = oh.page_text(client.get(f"/pengawasan/{penalty.id}"))
    assert f"PPK membebaskan denda keterlambatan Rp 3.000 pada BAST {penalty.numbers['bast']}." in text
    assert "3000" not in text


def test_a_tkdn_flag_shows_the_certificate_date_and_a_decimal_comma(client, auth, planted):
    _p, auditor, _unpaid, _waived, flag = planted
    tkdn = flag(FlagKind.TKDN)
    auth.login(auditor)
    html = client.get(f"/pengawasan/{tkdn.id}").get_data(as_text=True)
    assert _numbers(html) == {"Masalah": "sertifikat sudah terlalu lama", "TKDN yang dinyatakan": "40,25%",
                              "Tanggal sertifikat TKDN": "5 Mar 2019", "Masa berlaku sertifikat (tahun)": "5"}
    text = oh.page_text(client.get(f"/pengawasan/{tkdn.id}"))
    assert "TKDN 40,25% dengan sertifikat bertanggal 5 Mar 2019" in text
    assert "2019-03-05" not in html and "40.25" not in html and "<code>" not in html
    # In English the same numbers keep the English decimal point.
    client.post("/bahasa", data={"lang": "en"})
    english = client.get(f"/pengawasan/{tkdn.id}").get_data(as_text=True)
    assert _numbers(english)["TKDN claimed"] == "40.25%" and "5 Mar 2019" in english


def test_every_number_a_flag_keeps_has_a_label():
    """The keys of every `Found(kind, key, {numbers})` in pbj/services/flags.py, read from
    the source, have a label on the flag page (a new one cannot show as a raw key)."""
    import ast
    from pathlib import Path

    from pbj.blueprints.oversight.reasons import KIND_NUMBERS, NUMBERS
    from pbj.services import flags

    tree = ast.parse(Path(flags.__file__).read_text(encoding="utf-8"))
    keys = {k.value for call in ast.walk(tree) if isinstance(call, ast.Call)
            and getattr(call.func, "id", None) == "Found" and len(call.args) > 2
            and isinstance(call.args[2], ast.Dict) for k in call.args[2].keys if isinstance(k, ast.Constant)}
    assert {"received_on", "certificate_date", "computed", "percent"} <= keys  # the scan reads them
    labelled = set(NUMBERS) | {k for kind in KIND_NUMBERS.values() for k in kind}
    assert keys - labelled == set()
