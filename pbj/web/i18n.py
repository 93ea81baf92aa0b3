"""Language and time-zone selection, and locale-aware formatting filters."""
from __future__ import annotations

import functools
from datetime import date, datetime, timezone
from decimal import Decimal

from babel.numbers import format_decimal, get_group_symbol
from flask import current_app, has_request_context, session
from flask_babel import get_locale

from pbj.clock import utcnow

from pbj.messages import DATE_PATTERN, DATETIME_PATTERN
from pbj.messages import format_date, format_datetime, ngettext
from pbj.messages import gettext as _


def select_locale() -> str:
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def percent(x100: int | None) -> str:
    """A percentage stored in hundredths, in the locale's style: 4025 → "40,25%"."""
    if x100 is None:
        return "–"
    value = Decimal(int(x100)) / 100
    return format_decimal(value, format="#,##0.##", locale=str(get_locale())) + "%"


def share(value: Decimal | None) -> str:
    """A share computed by pbj.services.spending (percent, two decimals): "47,55%"."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.00", locale=str(get_locale())) + "%"


def decimal_1(value: float | None) -> str:
    """A number with at most one decimal, in the locale's style: 4.5 → "4,5" in Indonesian."""
    if value is None:
        return "–"
    return format_decimal(round(Decimal(str(value)), 1), format="#,##0.#", locale=str(get_locale()))


def file_size(size: int) -> str:
    """Kilobytes, never "0 KB" for a file that has content."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def select_timezone() -> str:
    return current_app.config["CITY_TIMEZONE"]


def rupiah(amount: int | None) -> str:
    """Whole rupiah with the locale's grouping: Rp 1.250.000.

    The same text as babel's `format_decimal` for our languages (both group by
    thousands; a test compares them), at a twentieth of its cost: a page of cards
    writes dozens of prices."""
    if amount is None:
        return "–"
    return "Rp " + f"{int(amount):,}".replace(",", _group_symbol(str(get_locale())))


@functools.cache
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


# DATETIME_PATTERN, DATE_PATTERN ("26 Nov 2026 07.37", never ambiguous) live beside the
# messages, whose time parameters (`LocalTime`) are written the same way.


def local_datetime(value: datetime | None, fmt: str = DATETIME_PATTERN) -> str:
    """Stored UTC (naive) shown in the city's time zone."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return format_datetime(value, fmt)


def local_date(value: date | str | None, fmt: str = DATE_PATTERN) -> str:
    if isinstance(value, str):  # an ISO date kept in a JSON record (e.g. the BAST's penalty rows)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return "–" if value is None else format_date(value, fmt)


def time_left(deadline: datetime | None) -> str:
    """What is left until a deadline, in days and hours: "2 hari 5 jam lagi"."""
    if deadline is None:
        return "–"
    left = deadline - utcnow()
    if left.total_seconds() <= 0:
        return _("the deadline has passed")
    days, hours = left.days, left.seconds // 3600
    if not days and not hours:
        return _("less than an hour left")
    parts = [ngettext("%(num)d day", "%(num)d days", days)] if days else []
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    return _("%(time)s left", time=" ".join(parts))
