"""Deadlines in working days, counted over the holidays table (both databases).

Every row of the table below was worked out by hand on the 2026 calendar of the
joint decree (SKB 3 Menteri 1497/2025, 2/2025, 5/2025): Singkawang is UTC+7 (WIB),
so the end of a day in the city, its midnight, is 17.00 UTC of that day.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from pbj.extensions import db
from pbj.models.holidays import HolidayKind
from pbj.services import holidays
from pbj.services.events import deadline_text
from pbj.services.workdays import deadline_after, holidays as holiday_dates

NOW = datetime(2026, 1, 5, 1, 0)
N, C = HolidayKind.NATIONAL, HolidayKind.CUTI_BERSAMA

# The days of 2026 these cases step over.
DAYS_OFF_2026 = [
    (date(2026, 2, 16), "Cuti Bersama Tahun Baru Imlek", C),
    (date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili", N),
    (date(2026, 3, 18), "Cuti Bersama Hari Suci Nyepi", C),
    (date(2026, 3, 19), "Hari Suci Nyepi", N),
    (date(2026, 3, 20), "Cuti Bersama Idulfitri", C),
    (date(2026, 3, 21), "Idulfitri 1447 H", N),  # Saturday
    (date(2026, 3, 22), "Idulfitri 1447 H (hari kedua)", N),  # Sunday
    (date(2026, 3, 23), "Cuti Bersama Idulfitri", C),
    (date(2026, 3, 24), "Cuti Bersama Idulfitri", C),
    (date(2026, 5, 31), "Hari Raya Waisak", N),  # Sunday
    (date(2026, 6, 1), "Hari Lahir Pancasila", N),
    (date(2026, 12, 24), "Cuti Bersama Kelahiran Yesus Kristus", C),
    (date(2026, 12, 25), "Kelahiran Yesus Kristus", N),
]


@pytest.fixture
def calendar_2026(app):
    for day, name, kind in DAYS_OFF_2026:
        holidays.add(None, day, name, kind, NOW)
    db.session.commit()


# (moment as naive UTC, what it is in the city, working days, deadline as naive UTC)
CASES = [
    # Friday 13 Feb 16.00 WIB; Mon 16 (cuti bersama Imlek) and Tue 17 (Imlek) are off:
    # Wed 18, Thu 19, Fri 20 -> end of Friday 20 Feb.
    (datetime(2026, 2, 13, 9, 0), "Friday before cuti bersama and Imlek", 3, datetime(2026, 2, 20, 17, 0)),
    # Submitted on Imlek itself (Tue 17 Feb, 10.00 WIB): the day never counts; Wed, Thu, Fri.
    (datetime(2026, 2, 17, 3, 0), "on a national holiday", 3, datetime(2026, 2, 20, 17, 0)),
    # Tuesday 17 Mar 09.00 WIB: Wed 18 cuti, Thu 19 Nyepi, Fri 20 cuti, weekend (Idulfitri),
    # Mon 23 and Tue 24 cuti -> Wed 25, Thu 26, Fri 27.
    (datetime(2026, 3, 17, 2, 0), "before Nyepi and Idulfitri", 3, datetime(2026, 3, 27, 17, 0)),
    # Friday 29 May 16.00 WIB before Monday 1 June (Pancasila): Tue 2, Wed 3, Thu 4 June.
    (datetime(2026, 5, 29, 9, 0), "Friday before a Monday holiday", 3, datetime(2026, 6, 4, 17, 0)),
    # 23 Dec 18.00 UTC is already Thursday 24 Dec 01.00 WIB, cuti bersama; Fri 25 Christmas,
    # weekend -> Mon 28, Tue 29, Wed 30.
    (datetime(2026, 12, 23, 18, 0), "after midnight in the city, on cuti bersama", 3, datetime(2026, 12, 30, 17, 0)),
    # One working day from Wednesday 23 Dec 10.00 WIB: Thu 24 and Fri 25 are off -> Mon 28.
    (datetime(2026, 12, 23, 3, 0), "one day over Christmas", 1, datetime(2026, 12, 28, 17, 0)),
    # An ordinary week: Monday 7 Dec 10.00 WIB -> Tue 8, Wed 9, Thu 10.
    (datetime(2026, 12, 7, 3, 0), "an ordinary week", 3, datetime(2026, 12, 10, 17, 0)),
]


@pytest.mark.parametrize("moment, what, days, due", CASES, ids=[case[1] for case in CASES])
def test_deadlines_skip_weekends_and_the_listed_holidays(calendar_2026, moment, what, days, due):
    assert deadline_after(moment, days) == due


def test_a_regional_holiday_added_later_moves_the_next_deadline(calendar_2026):
    monday = datetime(2026, 12, 7, 3, 0)
    assert deadline_after(monday, 3) == datetime(2026, 12, 10, 17, 0)
    holidays.add(None, date(2026, 12, 9), "Libur Pilkada Kota Singkawang", HolidayKind.REGIONAL, NOW)
    assert deadline_after(monday, 3) == datetime(2026, 12, 11, 17, 0)  # Tue 8, Thu 10, Fri 11
    holiday = db.session.scalar(sa.select(holidays.Holiday).where(holidays.Holiday.day == date(2026, 12, 9)))
    holidays.remove(None, holiday, NOW)
    assert deadline_after(monday, 3) == datetime(2026, 12, 10, 17, 0)


def test_a_rolled_back_holiday_does_not_linger_in_the_cached_set(calendar_2026):
    holidays.add(None, date(2026, 12, 9), "Salah ketik", HolidayKind.REGIONAL, NOW)
    assert date(2026, 12, 9) in holiday_dates()
    db.session.rollback()
    assert date(2026, 12, 9) not in holiday_dates()
    assert deadline_after(datetime(2026, 12, 7, 3, 0), 3) == datetime(2026, 12, 10, 17, 0)


def test_deadlines_read_the_holidays_once_not_per_day_stepped(calendar_2026):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for moment, _what, days, due in CASES * 3:  # long holiday blocks, weeks of days stepped
            assert deadline_after(moment, days) == due
        assert deadline_after(datetime(2026, 1, 1, 3, 0), 200) > datetime(2026, 10, 1)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "holidays" in s]) <= 1, statements


def test_a_deadline_reads_as_people_say_it(app):
    # The end of Monday 7 Dec 2026 in Singkawang is 17.00 UTC.
    assert deadline_text(datetime(2026, 12, 7, 17, 0)) == "Senin, 7 Desember 2026 pukul 24.00 WIB"
