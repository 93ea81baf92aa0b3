"""Deadlines and holidays as people see them, without JavaScript (both databases)."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.holidays import Holiday, HolidayKind
from pbj.services import holidays, orders
from tests import order_helpers as oh

FRIDAY = datetime(2026, 12, 4, 3, 0)  # Friday 4 Dec 2026, 10.00 WIB
SUPPLIER_DEADLINE = "Rabu, 9 Desember 2026 pukul 24.00 WIB"  # Mon 7, Tue 8, Wed 9


@pytest.fixture
def admin(app, create_user, auth, pinned_clock):
    pinned_clock(datetime(2026, 11, 30, 3, 0))
    user = create_user(Role.ADMIN)
    auth.login(user)
    return user


def count():
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Holiday))


def test_admin_adds_changes_and_removes_a_holiday(admin, client):
    page = client.get("/admin/hari-libur")
    assert page.status_code == 200 and "Hari libur dan cuti bersama 2026" in page.text
    added = client.post("/admin/hari-libur", data={"day": "24 Desember 2026", "name": "Cuti Bersama Natal",
                                                   "kind": "cuti_bersama"})
    assert added.status_code == 303 and added.headers["Location"].endswith("/admin/hari-libur?tahun=2026")
    page = client.get("/admin/hari-libur?tahun=2026")
    assert "Cuti Bersama Natal (24/12/2026) sudah ditambahkan." in page.text
    assert "Kamis, 24 Desember 2026" in page.text and "Cuti bersama" in page.text
    holiday = db.session.scalar(sa.select(Holiday))
    assert client.get(f"/admin/hari-libur/{holiday.id}").status_code == 200
    changed = client.post(f"/admin/hari-libur/{holiday.id}", data={
        "day": "2026-12-24", "name": "Cuti Bersama Kelahiran Yesus Kristus", "kind": "cuti_bersama"})
    assert changed.status_code == 303
    db.session.expire_all()
    assert holiday.name == "Cuti Bersama Kelahiran Yesus Kristus"
    removed = client.post(f"/admin/hari-libur/{holiday.id}/hapus")
    assert removed.status_code == 303 and count() == 0
    assert client.get(f"/admin/hari-libur/{holiday.id}").status_code == 404


def test_a_duplicate_or_unreadable_date_is_refused_in_indonesian_and_changes_nothing(admin, client):
    holidays.add(None, date(2026, 12, 25), "Kelahiran Yesus Kristus", HolidayKind.NATIONAL, FRIDAY)
    db.session.commit()
    duplicate = client.post("/admin/hari-libur", data={"day": "25/12/2026", "name": "Natal", "kind": "national"})
    assert duplicate.status_code == 422
    assert "Tanggal 25/12/2026 sudah ada dalam daftar: Kelahiran Yesus Kristus." in duplicate.text
    assert 'id="day-error"' in duplicate.text and 'value="25/12/2026"' in duplicate.text
    unreadable = client.post("/admin/hari-libur", data={"day": "31 Februari 2026", "name": "Libur", "kind": "national"})
    assert unreadable.status_code == 422
    assert "Tulis tanggal seperti 2026-12-25, 25/12/2026 atau 25 Desember 2026." in unreadable.text
    bad_kind = client.post("/admin/hari-libur", data={"day": "2026-12-26", "name": "Libur", "kind": "libur"})
    assert bad_kind.status_code == 422
    assert count() == 1


def test_csv_upload_good_and_bad_rows(admin, client):
    good = "tanggal;nama;jenis\n16/02/2026;Cuti Bersama Imlek;cuti bersama\n17 Februari 2026;Tahun Baru Imlek;nasional\n"
    answer = client.post("/admin/hari-libur/impor?tahun=2026", data={"file": (io.BytesIO(good.encode()), "libur.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    assert "Impor selesai: 2 ditambahkan, 0 diubah, 0 tetap." in client.get(answer.headers["Location"]).text
    bad = "2026-12-25;Natal;nasional\nbesok;Salah;nasional\n2026-12-24;Cuti;liburan\n"
    answer = client.post("/admin/hari-libur/impor?tahun=2026", data={"file": (io.BytesIO(bad.encode()), "libur.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "2 baris dalam berkas tidak dapat dibaca; tidak ada yang diimpor." in answer.text
    assert "Baris 2: Tulis tanggal seperti 2026-12-25" in answer.text
    assert "Baris 3: Jenisnya harus nasional, cuti bersama atau daerah." in answer.text
    assert count() == 2
    missing = client.post("/admin/hari-libur/impor", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Pilih berkas CSV." in missing.text


def test_holiday_names_are_escaped_once(admin, client):
    client.post("/admin/hari-libur", data={"day": "2026-12-28", "name": "<b>Libur</b> & \"kota\"", "kind": "regional"})
    page = client.get("/admin/hari-libur?tahun=2026")
    assert "&lt;b&gt;Libur&lt;/b&gt; &amp; &#34;kota&#34;" in page.text and "<b>Libur</b>" not in page.text


@pytest.fixture
def order_parties(app, create_org, create_user, create_supplier, pinned_clock):
    pinned_clock(datetime(2026, 11, 30, 3, 0))
    p = oh.parties(create_org, create_user, create_supplier)
    product = oh.listed(p, stock=20)
    pinned_clock(FRIDAY)
    return p, oh.place(p, product, 2)


def test_the_side_that_must_act_sees_its_deadline_in_wib_and_the_time_left(order_parties, client, auth):
    p, order = order_parties
    auth.login(p.supplier)
    page = client.get(f"/pesanan/{order.id}")
    assert "Batas waktu Anda:" in page.text
    assert f"penyedia menjawab paling lambat {SUPPLIER_DEADLINE}" in page.text
    assert "sisa 5 hari 14 jam" in page.text  # Fri 10.00 WIB to the end of Wednesday
    listing = client.get("/pesanan")
    assert SUPPLIER_DEADLINE in listing.text and "sisa 5 hari 14 jam" in listing.text
    auth.logout()
    auth.login(p.pp)
    page = client.get(f"/pesanan/{order.id}")
    assert f"penyedia menjawab paling lambat {SUPPLIER_DEADLINE}" in page.text
    assert "Batas waktu Anda:" not in page.text


def test_the_ppk_sees_its_own_deadline_once_the_supplier_confirms(order_parties, client, auth):
    p, order = order_parties
    orders.confirm(p.supplier, order, datetime(2026, 12, 8, 3, 0))  # Tuesday 8 Dec
    db.session.commit()
    auth.login(p.ppk)
    page = client.get(f"/pesanan/{order.id}")
    assert "Batas waktu Anda:" in page.text
    assert "PPK menyetujui atau menolak paling lambat Jumat, 11 Desember 2026 pukul 24.00 WIB" in page.text


def test_an_order_expired_waiting_for_the_supplier_says_so_on_its_page_and_in_the_notices(
        order_parties, client, auth, pinned_clock):
    p, order = order_parties
    orders.expire_overdue(datetime(2026, 12, 9, 17, 1))
    db.session.commit()
    pinned_clock(datetime(2026, 12, 10, 1, 0))
    auth.login(p.ppk)
    page = client.get(f"/pesanan/{order.id}")
    assert f"Kedaluwarsa: penyedia tidak menjawab sampai batas waktu {SUPPLIER_DEADLINE}" in page.text
    assert "PPK tidak menyetujui" not in page.text
    notices = client.get("/notifikasi")
    assert "Pesanan kedaluwarsa: penyedia tidak menjawab sampai batas waktu" in notices.text
