"""One clock for the whole app: naive UTC for stored times, the city's date for people."""
from datetime import date, datetime

import pytest

from pbj import clock
from pbj.extensions import db
from pbj.models.orders import OrderStatus
from pbj.services import audit
from tests import order_helpers as oh

FRIDAY_MORNING = datetime(2030, 1, 4, 3, 0)  # 10.00 in Singkawang (UTC+7)
# Three working days after Friday: the end of Wednesday, city time, as UTC.
DEADLINE = datetime(2030, 1, 9, 17, 0)


def test_city_today_is_the_city_date_of_the_pinned_moment(app, pinned_clock):
    pinned_clock(datetime(2026, 11, 20, 17, 30))  # already 00.30 on the 21st in the city
    assert clock.utcnow() == datetime(2026, 11, 20, 17, 30)
    assert clock.city_today() == date(2026, 11, 21)


@pytest.mark.parametrize("text, utc", [
    ("2026-11-20T08:00", datetime(2026, 11, 20, 1, 0)),  # no offset: the city's time
    ("2026-11-20 08:00:30", datetime(2026, 11, 20, 1, 0, 30)),
    ("2026-11-20T01:00Z", datetime(2026, 11, 20, 1, 0)),
    ("2026-11-20T10:00+09:00", datetime(2026, 11, 20, 1, 0)),
])
def test_moments_are_read_in_city_time_unless_they_carry_an_offset(app, text, utc):
    assert clock.parse_moment(text) == utc


def test_an_order_placed_under_a_pinned_clock_carries_its_times(app, pinned_clock, create_org, create_user,
                                                                 create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    pinned_clock(FRIDAY_MORNING)
    order = oh.place(p, oh.listed(p), 1)
    assert order.submitted_at == FRIDAY_MORNING  # a model default
    assert order.supplier_deadline == DEADLINE and order.ppk_deadline is None
    assert order.budget_year == 2030  # the helpers' city_today()
    assert [e.occurred_at for e in audit.entries_for("orders", order.id)] == [FRIDAY_MORNING]


def test_expiry_follows_the_clock(app, runner, pinned_clock, create_org, create_user, create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    pinned_clock(FRIDAY_MORNING)
    order = oh.place(p, oh.listed(p), 1)
    pinned_clock(datetime(2030, 1, 9, 16, 59))
    assert "No overdue orders." in runner.invoke(args=["orders", "expire"]).output
    pinned_clock(datetime(2030, 1, 9, 17, 1))
    assert f"#{order.id}" in runner.invoke(args=["orders", "expire"]).output
    db.session.expire_all()
    assert order.status is OrderStatus.EXPIRED
