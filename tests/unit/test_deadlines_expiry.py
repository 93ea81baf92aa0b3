"""Each stage has its own deadline, and an expiry names who missed it (both databases).

The story of demo order #5: it expired while waiting for the supplier, and its
timeline blamed the PPK. Times: Singkawang is UTC+7, so 03.00 UTC is 10.00 WIB and
the end of a day in the city is 17.00 UTC.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from pbj.extensions import db
from pbj.models.holidays import HolidayKind
from pbj.models.orders import Notification, OrderStatus
from pbj.services import audit, holidays, orders
from pbj.services.events import expiry_text
from tests import order_helpers as oh

FRIDAY = datetime(2026, 12, 4, 3, 0)  # Friday 4 Dec 2026, 10.00 WIB
END_OF_WEDNESDAY = datetime(2026, 12, 9, 17, 0)  # Mon 7, Tue 8, Wed 9
MINUTE = (datetime(2026, 1, 1, 0, 1) - datetime(2026, 1, 1, 0, 0))


@pytest.fixture
def p(app, create_org, create_user, create_supplier, pinned_clock):
    pinned_clock(datetime(2026, 11, 30, 3, 0))
    parties = oh.parties(create_org, create_user, create_supplier)
    parties.product = oh.listed(parties, stock=20)
    return parties


def expired_entry(order):
    return next(e for e in audit.entries_for("orders", order.id) if e.action == "order.expired")


def notices(order):
    rows = db.session.execute(sa.select(Notification.user_id, Notification.event)
                              .where(Notification.order_id == order.id, Notification.event.like("order.expired%")))
    return dict(rows.all())


def timeline_words(order):
    with force_locale("id"):
        return str(expiry_text(expired_entry(order).detail_data, order.confirmed_at is not None))


def test_the_supplier_has_three_working_days_from_submission_and_the_ppk_none_yet(p, pinned_clock):
    pinned_clock(FRIDAY)
    order = oh.place(p, p.product, 2)
    assert order.supplier_deadline == END_OF_WEDNESDAY
    assert order.ppk_deadline is None
    assert (order.waiting_on, order.deadline) == ("supplier", END_OF_WEDNESDAY)


def test_an_order_the_supplier_never_answers_expires_naming_the_supplier(p, pinned_clock):
    pinned_clock(FRIDAY)
    order = oh.place(p, p.product, 2)
    assert orders.expire_overdue(END_OF_WEDNESDAY - MINUTE) == []
    assert orders.expire_overdue(END_OF_WEDNESDAY + MINUTE) == [order.id]
    db.session.commit()
    assert order.status is OrderStatus.EXPIRED
    entry = expired_entry(order)
    assert entry.actor_id is None
    assert entry.detail_data["missed_by"] == "supplier"
    assert entry.detail_data["deadline"] == END_OF_WEDNESDAY.isoformat()
    # Both sides hear it, and the notice names the supplier.
    assert notices(order) == {p.pp.id: "order.expired.supplier", p.ppk.id: "order.expired.supplier",
                              p.supplier.id: "order.expired.supplier"}
    assert timeline_words(order) == ("Kedaluwarsa: penyedia tidak menjawab sampai batas waktu "
                                     "Rabu, 9 Desember 2026 pukul 24.00 WIB")


def test_a_confirmed_order_the_ppk_leaves_expires_naming_the_ppk(p, pinned_clock):
    pinned_clock(FRIDAY)
    order = oh.place(p, p.product, 2)
    tuesday = datetime(2026, 12, 8, 3, 0)  # Tue 8 Dec, 10.00 WIB
    orders.confirm(p.supplier, order, tuesday)
    db.session.commit()
    end_of_friday = datetime(2026, 12, 11, 17, 0)  # Wed 9, Thu 10, Fri 11
    assert order.ppk_deadline == end_of_friday
    assert (order.waiting_on, order.deadline) == ("ppk", end_of_friday)
    # The supplier's deadline has passed, but the supplier answered: nothing expires.
    assert orders.expire_overdue(END_OF_WEDNESDAY + MINUTE) == []
    assert orders.expire_overdue(end_of_friday + MINUTE) == [order.id]
    db.session.commit()
    entry = expired_entry(order)
    assert (entry.detail_data["missed_by"], entry.detail_data["deadline"]) == ("ppk", end_of_friday.isoformat())
    assert set(notices(order).values()) == {"order.expired.ppk"}
    assert p.supplier.id in notices(order) and p.pp.id in notices(order)
    assert timeline_words(order) == ("Kedaluwarsa: PPK tidak menyetujui atau menolak sampai batas waktu "
                                     "Jumat, 11 Desember 2026 pukul 24.00 WIB")


def test_each_negotiation_move_gives_the_side_that_must_answer_its_working_days(p, pinned_clock):
    pinned_clock(FRIDAY)
    order = oh.place(p, p.product, 2)
    item = order.items[0]
    monday = datetime(2026, 12, 7, 3, 0)
    orders.make_offer(p.pp, order, {item.id: item.list_price - 1000}, "Mohon harga khusus", monday)
    db.session.commit()
    # The buyer's offer waits for the supplier: Tue 8, Wed 9, Thu 10.
    assert (order.waiting_on, order.supplier_deadline) == ("supplier", datetime(2026, 12, 10, 17, 0))
    thursday = datetime(2026, 12, 10, 3, 0)
    orders.make_offer(p.supplier, order, {item.id: item.list_price - 500}, "Paling rendah", thursday)
    db.session.commit()
    # The supplier's counter-offer waits for the buyer: Fri 11, Mon 14, Tue 15.
    end_of_tuesday = datetime(2026, 12, 15, 17, 0)
    assert (order.waiting_on, order.supplier_deadline) == ("buyer", end_of_tuesday)
    assert orders.expire_overdue(end_of_tuesday - MINUTE) == []
    assert orders.expire_overdue(end_of_tuesday + MINUTE) == [order.id]
    db.session.commit()
    assert expired_entry(order).detail_data["missed_by"] == "buyer"
    assert set(notices(order).values()) == {"order.expired.buyer"}
    assert timeline_words(order) == ("Kedaluwarsa: pemesan tidak menjawab tawaran penyedia sampai batas waktu "
                                     "Selasa, 15 Desember 2026 pukul 24.00 WIB")


def test_holidays_in_the_table_lengthen_both_deadlines(p, pinned_clock):
    holidays.add(None, date(2026, 12, 24), "Cuti Bersama Kelahiran Yesus Kristus", HolidayKind.CUTI_BERSAMA,
                 FRIDAY)
    holidays.add(None, date(2026, 12, 25), "Kelahiran Yesus Kristus", HolidayKind.NATIONAL, FRIDAY)
    db.session.commit()
    pinned_clock(datetime(2026, 12, 22, 3, 0))  # Tuesday 22 Dec, 10.00 WIB
    order = oh.place(p, p.product, 2)
    # Wed 23, (Thu 24 cuti bersama, Fri 25 Christmas, weekend) Mon 28, Tue 29.
    assert order.supplier_deadline == datetime(2026, 12, 29, 17, 0)
    orders.confirm(p.supplier, order, datetime(2026, 12, 23, 3, 0))  # Wednesday 23 Dec
    db.session.commit()
    # Mon 28, Tue 29, Wed 30.
    assert order.ppk_deadline == datetime(2026, 12, 30, 17, 0)


def test_entries_written_before_the_split_are_read_by_whether_the_order_was_confirmed(app):
    detail = {"deadline": datetime(2026, 11, 25, 17, 0).isoformat(), "actor_label": "system"}
    with force_locale("id"):
        assert str(expiry_text(detail, confirmed=False)).startswith("Kedaluwarsa: penyedia tidak menjawab")
        assert str(expiry_text(detail, confirmed=True)).startswith("Kedaluwarsa: PPK tidak menyetujui")
        assert str(expiry_text({}, confirmed=False)) == "Pesanan kedaluwarsa: batas waktu terlewati"


def test_the_expire_command_names_nobody_twice_and_leaves_answered_orders(p, pinned_clock, runner):
    pinned_clock(FRIDAY)
    silent = oh.place(p, p.product, 1)
    answered = oh.place(p, p.product, 1)
    orders.confirm(p.supplier, answered, datetime(2026, 12, 9, 3, 0))
    db.session.commit()
    pinned_clock(END_OF_WEDNESDAY + MINUTE)
    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert f"#{silent.id} (missed by the supplier)" in result.output and f"#{answered.id}" not in result.output
    assert "No overdue orders." in runner.invoke(args=["orders", "expire"]).output
