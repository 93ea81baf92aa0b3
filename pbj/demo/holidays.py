"""The demo's days off: Indonesia's national holidays of the replayed years, from the
`holidays` package as `flask holidays seed` loads them, and the cuti bersama of the
joint decree where this file has them.

Cuti bersama 2026: Surat Keputusan Bersama Menteri Agama, Menteri Ketenagakerjaan and
Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 1497 Tahun 2025,
Nomor 2 Tahun 2025 and Nomor 5 Tahun 2025 tentang Hari Libur Nasional dan Cuti Bersama
Tahun 2026 (signed 19 September 2025): 17 national holidays and 8 days of cuti bersama.
For another year an admin enters that year's decree (docs/OPERATIONS.md).
"""
from __future__ import annotations

from datetime import date, datetime

from pbj.models.accounts import User
from pbj.models.holidays import HolidayKind
from pbj.services import holidays

CUTI_BERSAMA = {
    2026: [
        (date(2026, 2, 16), "Cuti Bersama Tahun Baru Imlek 2577 Kongzili"),
        (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi (Tahun Baru Saka 1948)"),
        (date(2026, 3, 20), "Cuti Bersama Idulfitri 1447 Hijriah"),
        (date(2026, 3, 23), "Cuti Bersama Idulfitri 1447 Hijriah"),
        (date(2026, 3, 24), "Cuti Bersama Idulfitri 1447 Hijriah"),
        (date(2026, 5, 15), "Cuti Bersama Kenaikan Yesus Kristus"),
        (date(2026, 5, 28), "Cuti Bersama Iduladha 1447 Hijriah"),
        (date(2026, 12, 24), "Cuti Bersama Kelahiran Yesus Kristus"),
    ],
}


def load(admin: User | None, years: list[int], now: datetime) -> int:
    """National holidays of `years` and the cuti bersama this file knows; returns the count added."""
    added = 0
    for year in years:
        added += holidays.seed_national(admin, year, now)[0]
        listed = {holiday.day for holiday in holidays.for_year(year)}
        for day, name in CUTI_BERSAMA.get(year, []):
            if day not in listed:
                holidays.add(admin, day, name, HolidayKind.CUTI_BERSAMA, now)
                added += 1
    return added
