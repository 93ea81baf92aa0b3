"""Translatable messages that are escaped exactly once wherever they are shown.

Every message built in Python with parameters (`_l("Stok %(name)s …", name=...)`)
comes from here, never from `flask_babel.lazy_gettext`: Flask-Babel's lazy string
declares itself HTML (`__html__` returns the formatted text), so Jinja, WTForms
labels, `markupsafe.escape` and `flash()` (the session stores it as `Markup`) would
all show a product name such as `<i hx-post=…>` as live markup.

A `Message` is the same lazy string with one difference:
- as text (`str()`: e-mail text bodies, CSV cells, logs) the parameters are inserted
  as they are;
- as HTML (`__html__()`: templates, htmx fragments, flashes, form errors and labels,
  printable documents) the translated wording is escaped like any text and each
  parameter is escaped once, through `Markup.__mod__`.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from babel import dates, support
from flask import current_app
from flask_babel import LazyString, get_locale, get_translations
from markupsafe import Markup, escape

from pbj.clock import city_zone


# -- The current language's catalogue, looked up once per app and language -----------------
# Flask-Babel finds the catalogue anew for every message (about 15 µs of context-local
# look-ups) and the time zone for every date; a list of 30 orders asks for hundreds.
# The locale still comes from Flask-Babel for each call (it keeps it on its context, and
# `force_locale` and `refresh` change it there), so a language switch is always seen; the
# catalogue and the zone for that locale are then kept on the app.

_UNTRANSLATED = (support.NullTranslations(), None, timezone.utc)


def language() -> tuple:
    """(catalogue, locale, time zone) of the current context."""
    locale = get_locale()
    try:
        kept = current_app.extensions.setdefault("pbj_language", {})
    except RuntimeError:  # no app context: untranslated, as with Flask-Babel
        return _UNTRANSLATED
    found = kept.get(locale)
    if found is None:
        # The city's zone (Flask-Babel's zone selector gives the same) as zoneinfo:
        # babel converts with it twice as fast as with Flask-Babel's pytz zone.
        found = kept[locale] = (get_translations(), locale, city_zone())
    return found


def gettext(string: str, **variables) -> str:
    """`_`: Flask-Babel's `gettext`, through the memo."""
    text = language()[0].ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's `ngettext` (`num` is a parameter too), through the memo."""
    variables.setdefault("num", num)
    return language()[0].ungettext(singular, plural, num) % variables


def format_datetime(value: datetime, pattern: str) -> str:
    """An aware moment in the current language and time zone (babel's own formatting)."""
    _catalogue, locale, zone = language()
    return dates.format_datetime(value, pattern, tzinfo=zone, locale=locale)


def format_date(value: date, pattern: str) -> str:
    """A date in the current language (babel's own formatting)."""
    return dates.format_date(value, pattern, locale=language()[1])


class Message(LazyString):
    """A lazily translated message whose parameters are user data."""

    def __init__(self, string: str, **variables):
        super().__init__(gettext, string, **variables)
        self.msgid = string
        self.variables = variables

    def __html__(self) -> Markup:
        # Translated without parameters (Flask-Babel formats only when given some),
        # then the wording is escaped as text and `Markup % …` escapes each parameter.
        wording = escape(gettext(self.msgid))  # escape() returns Markup
        return wording % self.variables if self.variables else wording

    # Pickled with its parts, not as the bound gettext function.
    def __reduce__(self):
        return (_rebuild, (self.msgid, self.variables))


def _rebuild(msgid: str, variables: dict) -> Message:
    return Message(msgid, **variables)


def lazy_gettext(string: str, **variables) -> Message:
    """`_l`: translate when shown; the parameters are data, escaped in HTML."""
    return Message(string, **variables)


# Day, short month name and four-digit year: "26 Nov 2026 07.37" is never ambiguous.
DATETIME_PATTERN = "d MMM y HH.mm"
DATE_PATTERN = "d MMM y"


class LocalTime:
    """A message parameter that is a moment (naive UTC, as stored) or a date, written in
    the reader's language and, for a moment, the city's time zone, when the message is
    shown: "sudah disetujui pada 26 Nov 2026 07.37" without the service knowing the reader."""

    def __init__(self, value: datetime | date):
        self.value = value

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, datetime):
            return format_datetime(value if value.tzinfo else value.replace(tzinfo=timezone.utc),
                                   DATETIME_PATTERN)
        return format_date(value, DATE_PATTERN)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __eq__(self, other) -> bool:
        return isinstance(other, LocalTime) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)
