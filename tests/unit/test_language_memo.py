"""pbj.messages keeps each language's catalogue and the time zone on the app; what it
writes must stay word for word what Flask-Babel writes, in every language, and follow a
language switched inside a request (`force_locale`)."""
from datetime import date, datetime, timedelta, timezone

import flask_babel
import pytest
from flask_babel import force_locale

from pbj.messages import format_date, format_datetime, gettext, language, ngettext
from pbj.services.events import deadline_text
from pbj.web.i18n import local_date, local_datetime, time_left

MSGIDS = ["Orders", "Add to cart", "Expired", "%(time)s left", "the deadline has passed", "Log in"]


def test_messages_are_flask_babels_in_every_language(app):
    for locale in app.config["LANGUAGES"]:
        with app.test_request_context(), force_locale(locale):
            for msgid in MSGIDS:
                assert gettext(msgid, time="x") == flask_babel.gettext(msgid, time="x")
            for n in (1, 2, 5):
                assert (ngettext("%(num)d day", "%(num)d days", n)
                        == flask_babel.ngettext("%(num)d day", "%(num)d days", n))
    with app.test_request_context(), force_locale("id"):
        assert gettext("Orders") == "Pesanan"  # a catalogue is really used


def test_a_language_switched_inside_a_request_is_followed(app):
    with app.test_request_context():
        with force_locale("en"):
            assert gettext("Orders") == "Orders"
            with force_locale("id"):
                assert gettext("Orders") == "Pesanan"
                assert ngettext("%(num)d day", "%(num)d days", 2) == "2 hari"
            assert gettext("Orders") == "Orders"
            assert language()[1].language == "en"


def test_dates_and_moments_are_what_flask_babel_writes(app):
    """Every seventh hour of two years (both sides of midnight in the city, month ends,
    a leap day), in both languages and the patterns the pages use."""
    moments = [datetime(2027, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h, minutes=h % 60)
               for h in range(0, 2 * 366 * 24, 7)] + [datetime(2028, 2, 29, 16, 59, tzinfo=timezone.utc)]
    for locale in app.config["LANGUAGES"]:
        with app.test_request_context(), force_locale(locale):
            for moment in moments:
                assert format_datetime(moment, "d MMM y HH.mm") == flask_babel.format_datetime(
                    moment, "d MMM y HH.mm")
                day = moment.date()
                for pattern in ("d MMM y", "d MMMM y", "EEEE, d MMMM y"):
                    assert format_date(day, pattern) == flask_babel.format_date(day, pattern)


@pytest.mark.parametrize("locale, expected", [
    # 2026-11-30 17:30 UTC is 1 December 00.30 in Singkawang (WIB, UTC+7).
    ("id", "1 Des 2026 00.30"),
    ("en", "1 Dec 2026 00.30"),
])
def test_a_stored_moment_is_shown_in_the_city_time(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert local_datetime(datetime(2026, 11, 30, 17, 30)) == expected
        assert local_date(date(2026, 12, 1)) == expected[:10]


def test_deadline_and_time_left_words(app, pinned_clock):
    pinned_clock(datetime(2026, 12, 2, 12, 0))
    # A deadline is stored as the local midnight (naive UTC) that ends its last day.
    deadline = datetime(2026, 12, 4, 17, 0)
    with app.test_request_context(), force_locale("id"):
        assert deadline_text(deadline) == "Jumat, 4 Desember 2026 pukul 24.00 WIB"
        assert time_left(deadline) == "sisa 2 hari 5 jam"
        assert time_left(datetime(2026, 12, 2, 11, 0)) == "batas waktu sudah lewat"
    with app.test_request_context(), force_locale("en"):
        assert deadline_text(deadline) == "Friday, 4 December 2026 at 24.00 WIB"
        assert time_left(deadline) == "2 days 5 hours left"


def test_outside_an_app_a_message_is_its_msgid_as_with_flask_babel():
    assert gettext("Orders") == flask_babel.gettext("Orders") == "Orders"
    assert ngettext("%(num)d day", "%(num)d days", 2) == "2 days"
