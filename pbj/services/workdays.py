"""Working days in the city's time zone: weekends and configured holidays excluded."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import current_app

from pbj.clock import city_date, city_zone


def holidays(config=None) -> frozenset[date]:
    config = config if config is not None else current_app.config
    return frozenset(date.fromisoformat(str(d)) for d in config.get("HOLIDAYS", ()))


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


def deadline_after(moment_utc: datetime, days: int, config=None) -> datetime:
    """End of the `days`-th working day after `moment_utc` (naive UTC), local midnight.

    An order submitted on Friday afternoon with 3 working days is due at the end of
    Wednesday, city time; the result is naive UTC like every stored time.
    """
    config = config if config is not None else current_app.config
    zone = city_zone(config)
    local_day = city_date(moment_utc, config)
    last_day = add_working_days(local_day, days, holidays(config))
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return end.astimezone(timezone.utc).replace(tzinfo=None)
