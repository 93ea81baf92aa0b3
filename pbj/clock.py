"""The one clock: the current moment and the city's date.

Every stored time is naive UTC (the same on SQLite and PostgreSQL); dates people
see and deadlines count in the city's time zone (CITY_TIMEZONE), not the server's.
Services take `now` and `today` as arguments; views, commands, model defaults and
demo data ask here. Only `_system_now` reads the system clock, so tests pin time
by replacing it (the `pinned_clock` fixture in tests/conftest.py).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


def utcnow() -> datetime:
    """Now, as naive UTC: stored the same way on SQLite and PostgreSQL."""
    return _system_now().replace(tzinfo=None)


def city_zone(config=None) -> ZoneInfo:
    config = config if config is not None else current_app.config
    return ZoneInfo(config["CITY_TIMEZONE"])


def city_date(moment_utc: datetime, config=None) -> date:
    """The city's date at a moment given as naive UTC (like every stored time)."""
    return moment_utc.replace(tzinfo=timezone.utc).astimezone(city_zone(config)).date()


def city_today() -> date:
    """Today's date in the city's time zone (not the server's)."""
    return city_date(utcnow())


def parse_moment(text: str, config=None) -> datetime:
    """An ISO 8601 date-time as naive UTC; without an offset it is the city's time.

    "2026-11-20T08:00" is eight in the morning in the city; "2026-11-20T01:00Z" or
    "…+00:00" is UTC. Raises ValueError for anything else.
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=city_zone(config))
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
