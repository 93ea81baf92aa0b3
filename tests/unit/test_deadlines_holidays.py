"""The holidays table: dates as admins write them, CSV import, the CLI, the demo's year."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.holidays import Holiday, HolidayKind
from pbj.services import holidays
from pbj.services.errors import DomainError
from tests.refusals import refused

NOW = datetime(2026, 11, 30, 3, 0)
BAD_DATE = "Write the date as 2026-12-25, 25/12/2026 or 25 Desember 2026."


@pytest.mark.parametrize("text, day", [
    ("2026-12-25", date(2026, 12, 25)),
    ("25/12/2026", date(2026, 12, 25)),
    ("25-12-2026", date(2026, 12, 25)),
    ("5.1.2027", date(2027, 1, 5)),
    ("25 Desember 2026", date(2026, 12, 25)),
    ("25 des 2026", date(2026, 12, 25)),
    ("Jumat, 25 Desember 2026", date(2026, 12, 25)),
    ("17 Agustus 2026", date(2026, 8, 17)),
    ("1 Mei 2026", date(2026, 5, 1)),
    ("  16   Februari 2026 ", date(2026, 2, 16)),
])
def test_dates_are_read_the_iso_and_the_indonesian_way(text, day):
    assert holidays.parse_day(text) == day


@pytest.mark.parametrize("text", ["", "besok", "31 Februari 2026", "2026-13-01", "25 Decimber 2026", "12/2026",
                                  "2026-12-25T00:00", "99999999999999999999-01-01"])
def test_a_date_that_cannot_be_read_is_refused_on_its_field(text):
    with refused(DomainError, BAD_DATE, field="day"):
        holidays.parse_day(text)


@pytest.mark.parametrize("text, kind", [("nasional", HolidayKind.NATIONAL), ("Libur Nasional", HolidayKind.NATIONAL),
                                        ("cuti bersama", HolidayKind.CUTI_BERSAMA),
                                        ("CUTI_BERSAMA", HolidayKind.CUTI_BERSAMA),
                                        ("daerah", HolidayKind.REGIONAL), ("regional", HolidayKind.REGIONAL)])
def test_kinds_in_indonesian_or_as_stored(text, kind):
    assert holidays.parse_kind(text) == kind


def test_one_holiday_per_date_and_every_change_is_audited(app, create_user):
    admin = create_user(holidays.Role.ADMIN)
    christmas = holidays.add(admin, date(2026, 12, 25), "Kelahiran Yesus Kristus", HolidayKind.NATIONAL, NOW)
    db.session.commit()
    with refused(DomainError, "%(day)s is already in the list: %(name)s.", field="day", day="25/12/2026"):
        holidays.add(admin, date(2026, 12, 25), "Natal", HolidayKind.NATIONAL, NOW)
    db.session.rollback()
    eve = holidays.add(admin, date(2026, 12, 24), "Cuti Bersama Natal", HolidayKind.CUTI_BERSAMA, NOW)
    db.session.commit()
    with refused(DomainError, "%(day)s is already in the list: %(name)s.", field="day"):
        holidays.change(admin, eve, date(2026, 12, 25), "Cuti Bersama Natal", HolidayKind.CUTI_BERSAMA, NOW)
    db.session.rollback()
    holidays.change(admin, christmas, date(2026, 12, 25), "Hari Raya Natal", HolidayKind.NATIONAL, NOW)
    holidays.remove(admin, eve, NOW)
    db.session.commit()
    assert [(h.day, h.name) for h in holidays.for_year(2026)] == [(date(2026, 12, 25), "Hari Raya Natal")]
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "holidays")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["holiday.added", "holiday.added", "holiday.changed", "holiday.removed"]


def test_only_admins_manage_holidays(app, create_user):
    from pbj.services.errors import NotAllowed

    with refused(NotAllowed, "Only UKPBJ administrators manage holidays."):
        holidays.add(create_user(holidays.Role.PPK), date(2026, 12, 25), "Natal", HolidayKind.NATIONAL, NOW)


GOOD_CSV = """tanggal;nama;jenis
2026-02-16;Cuti Bersama Tahun Baru Imlek;cuti bersama
17/02/2026;Tahun Baru Imlek 2577 Kongzili;nasional
Jumat, 25 Desember 2026;Kelahiran Yesus Kristus;Nasional

24 Des 2026;Cuti Bersama Natal;cuti_bersama
"""


def test_a_good_csv_file_is_imported_and_importing_it_again_changes_nothing(app):
    result = holidays.import_csv(None, GOOD_CSV.encode("utf-8-sig"), NOW)  # as a spreadsheet saves it
    db.session.commit()
    assert (result.added, result.changed, result.unchanged) == (4, 0, 0)
    listed = {h.day: (h.name, h.kind) for h in holidays.for_year(2026)}
    assert listed[date(2026, 2, 17)] == ("Tahun Baru Imlek 2577 Kongzili", HolidayKind.NATIONAL)
    assert listed[date(2026, 12, 24)] == ("Cuti Bersama Natal", HolidayKind.CUTI_BERSAMA)
    again = holidays.import_csv(None, GOOD_CSV, NOW)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    renamed = holidays.import_csv(None, "2026-12-25;Hari Raya Natal;nasional\n", NOW)
    assert (renamed.added, renamed.changed) == (0, 1)


def test_a_csv_file_with_bad_rows_imports_nothing_and_names_every_bad_row(app):
    bad = ("tanggal;nama;jenis\n"
           "2026-12-25;Natal;nasional\n"
           "31 Februari 2026;Tanggal salah;nasional\n"
           "2026-12-24;Cuti Bersama Natal;libur panjang\n"
           "2026-12-26;;nasional\n"
           "2026-12-31;Malam tahun baru\n"
           "25/12/2026;Natal lagi;nasional\n")
    with pytest.raises(holidays.BadRows) as caught:
        holidays.import_csv(None, bad, NOW)
    db.session.rollback()
    assert caught.value.field == "file"
    assert [(line, message) for line, message in caught.value.rows] == [
        (3, "Tulis tanggal seperti 2026-12-25, 25/12/2026 atau 25 Desember 2026."),
        (4, "Jenisnya harus nasional, cuti bersama atau daerah."),
        (5, "Tulis nama hari libur (1 sampai 120 karakter)."),
        (6, "Tulis tiga kolom yang dipisahkan titik koma: tanggal;nama;jenis."),
        (7, "Tanggal 25/12/2026 juga ada di baris 2."),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holiday)) == 0


def test_an_empty_or_binary_file_is_refused_plainly(app):
    with pytest.raises(holidays.BadRows) as caught:
        holidays.import_csv(None, b"", NOW)
    assert caught.value.rows == [(0, "Berkas tidak berisi baris.")]
    with pytest.raises(holidays.BadRows):
        holidays.import_csv(None, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", NOW)
    with pytest.raises(holidays.BadRows) as caught:
        holidays.import_csv(None, b"2026-12-25;" + b"x" * 200_000 + b";nasional\n", NOW)  # past csv's cell limit
    assert caught.value.rows == [(1, "Ini bukan berkas CSV hari libur.")]


def test_flask_holidays_import(app, runner, tmp_path):
    good = tmp_path / "libur-2026.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Added 4, changed 0, unchanged 0." in result.output
    bad = tmp_path / "salah.csv"
    bad.write_text("2026-12-31;Malam tahun baru;cuti\nkemarin;Salah;nasional\n", encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2: Tulis tanggal seperti" in result.output and "nothing was imported" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holiday)) == 4


def test_flask_holidays_seed_loads_the_national_list_with_imlek_and_keeps_admin_entries(app, runner):
    holidays.add(None, date(2026, 12, 25), "Hari Raya Natal (ditulis admin)", HolidayKind.NATIONAL, NOW)
    db.session.commit()
    result = runner.invoke(args=["holidays", "seed", "2026"])
    assert result.exit_code == 0, result.output
    assert "2026: added 16 national holiday(s), kept 1" in result.output
    listed = {h.day: h for h in holidays.for_year(2026)}
    assert len(listed) == 17
    assert listed[date(2026, 2, 17)].name == "Tahun Baru Imlek"  # Imlek matters in Singkawang
    assert listed[date(2026, 8, 17)].name == "Hari Kemerdekaan Republik Indonesia"
    assert listed[date(2026, 12, 25)].name == "Hari Raya Natal (ditulis admin)"
    assert {h.kind for h in listed.values()} == {HolidayKind.NATIONAL}  # no cuti bersama from the library
    again = runner.invoke(args=["holidays", "seed", "2026"])
    assert "added 0 national holiday(s), kept 17" in again.output
    assert runner.invoke(args=["holidays", "seed", "tahun"]).exit_code == 2


def test_the_demo_loads_the_city_years_national_holidays_and_the_decrees_cuti_bersama(app):
    from pbj.demo import holidays as demo_holidays

    added = demo_holidays.load(None, [2026], NOW)
    db.session.commit()
    listed = {h.day: h.kind for h in holidays.for_year(2026)}
    # SKB 3 Menteri 1497/2025, 2/2025, 5/2025: 17 national holidays and 8 days of cuti bersama.
    assert added == len(listed) == 25
    assert sum(kind is HolidayKind.CUTI_BERSAMA for kind in listed.values()) == 8
    assert listed[date(2026, 2, 16)] is HolidayKind.CUTI_BERSAMA
    assert listed[date(2026, 12, 24)] is HolidayKind.CUTI_BERSAMA
