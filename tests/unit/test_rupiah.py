"""Prices in rupiah, written the way babel writes numbers in each of our languages."""
import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale

from pbj.web.i18n import rupiah


@pytest.mark.parametrize("locale, amount, expected", [
    ("id", 1_250_000, "Rp 1.250.000"),
    ("en", 1_250_000, "Rp 1,250,000"),
    ("id", 999, "Rp 999"),
    ("id", 1000, "Rp 1.000"),
    ("id", 0, "Rp 0"),
    ("en", -45_500, "Rp -45,500"),
    ("id", 10**13, "Rp 10.000.000.000.000"),
])
def test_rupiah_groups_thousands_in_the_readers_language(app, locale, amount, expected):
    with app.test_request_context(), force_locale(locale):
        assert rupiah(amount) == expected


def test_rupiah_is_what_babel_writes_for_every_size_and_language(app):
    amounts = [0, 7, 12, 345, 6_789, 10_000, 250_000, 1_000_001, 99_999_999, 123_456_789_012, -1, -1_234_567]
    for locale in app.config["LANGUAGES"]:
        with app.test_request_context(), force_locale(locale):
            for amount in amounts:
                assert rupiah(amount) == "Rp " + format_decimal(amount, locale=locale, group_separator=True)
    with app.test_request_context():
        assert rupiah(None) == "–"
