"""Working days in the city's time zone: weekends and the days in the `holidays` table excluded.

The holiday dates are read once per application context (a request, a CLI command)
and kept in `flask.g`: a deadline steps through days in memory, never a query per
day. Any flush that adds, changes or deletes a `Holiday` (and any rollback) drops the
copy, so the next deadline in the same context sees the change; another request
reads the table afresh.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from pbj.clock import city_date, city_zone
from pbj.extensions import db
from pbj.models.holidays import Holiday

_CACHE = "pbj_holidays"


def holidays() -> frozenset[date]:
    """Every holiday date in the table (national, cuti bersama, regional), cached per app context."""
    cached = g.get(_CACHE)
    if cached is None:
        cached = frozenset(db.session.scalars(sa.select(Holiday.day)))
        setattr(g, _CACHE, cached)
    return cached


def forget_holidays() -> None:
    if has_app_context():
        g.pop(_CACHE, None)


@event.listens_for(Session, "after_flush")
def _holidays_changed(session, flush_context) -> None:
    if any(isinstance(obj, Holiday) for obj in (*session.new, *session.dirty, *session.deleted)):
        forget_holidays()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    forget_holidays()


def is_working_day(day: date, off: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in off


def add_working_days(start: date, days: int, off: frozenset[date]) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, off):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, off: frozenset[date]) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, off)
    return count


def days_between(later, earlier):
    """Whole days from one date or datetime column to another, in SQL (reading every row's
    dates to compare them in Python is the slow part). A datetime's time of day is
    dropped, so the result may be one less than the calendar days in the city."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(later, sa.Date) - sa.cast(earlier, sa.Date)
    return sa.cast(sa.func.julianday(sa.func.date(later)) - sa.func.julianday(sa.func.date(earlier)), sa.Integer)


def deadline_after(moment_utc: datetime, days: int, config=None, off: frozenset[date] | None = None) -> datetime:
    """End of the `days`-th working day after `moment_utc` (naive UTC), local midnight.

    An order submitted on Friday afternoon with 3 working days is due at the end of
    Wednesday, city time; the result is naive UTC like every stored time. The day of
    `moment_utc` itself never counts, working day or not. `off` defaults to the
    holidays table.
    """
    config = config if config is not None else current_app.config
    zone = city_zone(config)
    local_day = city_date(moment_utc, config)
    last_day = add_working_days(local_day, days, holidays() if off is None else off)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def last_day(deadline_utc: datetime, config=None) -> date:
    """The city's date whose end a deadline (a local midnight) is."""
    return city_date(deadline_utc - timedelta(minutes=1), config)
