"""A sanction on the supplier stops its orders in flight (before approval) and marks the rest."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.catalogue import Product
from pbj.models.orders import DocumentSequence, Notification, OrderStatus
from pbj.models.suppliers import Sanction
from pbj.services import audit, notifications, orders, suppliers
from pbj.services.errors import WrongState
from tests import order_helpers as oh

# Each sanction, and the words its refusal uses (Indonesian, the default language).
WORDS = [(Sanction.SUSPENDED, "dibekukan"), (Sanction.BLACKLISTED, "daftar hitam")]
STOPPED = {"confirm", "offer", "accept_offer", "decline_offer", "approve"}


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier, supplier_name="CV Sinar Jaya")


def now():
    return utcnow()


def audit_actions(order):
    return [e.action for e in audit.entries_for("orders", order.id)]


def sanction(p, kind=Sanction.SUSPENDED, days=30):
    suppliers.sanction_supplier(p.admin, p.supplier.org.supplier, kind, "Terlambat mengirim tiga kali",
                                oh.today() + timedelta(days=days), oh.today())
    db.session.commit()


def snapshot(order):
    """What a refused action must leave as it was."""
    db.session.expire_all()
    return (order.status, order.supplier_deadline, order.ppk_deadline, order.sp_number, [i.agreed_price for i in order.items],
            [(o.round, o.answer) for o in order.offers], len(audit_actions(order)),
            db.session.scalar(sa.select(sa.func.count()).select_from(DocumentSequence)))


def refused(call, order, words):
    before = snapshot(order)
    with pytest.raises(WrongState) as err:
        call()
    db.session.rollback()
    message = str(err.value.message)
    assert "CV Sinar Jaya" in message and words in message
    assert snapshot(order) == before
    return message


@pytest.mark.parametrize("kind,words", WORDS)
def test_sanctioned_supplier_cannot_confirm(p, kind, words):
    order = oh.place(p, oh.listed(p), 5)
    sanction(p, kind)
    refused(lambda: orders.confirm(p.supplier, order, now()), order, words)
    allowed = orders.allowed_actions(p.supplier, order, oh.today())
    assert not allowed & STOPPED and "supplier_reject" in allowed


@pytest.mark.parametrize("kind,words", WORDS)
def test_no_negotiation_with_a_sanctioned_supplier(p, kind, words):
    order = oh.place(p, oh.listed(p), 5)
    other = oh.place(p, oh.listed(p, "Map plastik"), 5)
    item = order.items[0]
    orders.make_offer(p.pp, order, {item.id: 50_000}, "", now())
    db.session.commit()
    sanction(p, kind)
    # The supplier can neither counter, accept nor decline the buyer's offer ...
    refused(lambda: orders.make_offer(p.supplier, order, {item.id: 52_000}, "", now()), order, words)
    refused(lambda: orders.answer_offer(p.supplier, order, True, now()), order, words)
    refused(lambda: orders.answer_offer(p.supplier, order, False, now()), order, words)
    assert not orders.allowed_actions(p.supplier, order, oh.today()) & STOPPED
    # ... and the buyer cannot open a new round with it either.
    refused(lambda: orders.make_offer(p.pp, other, {other.items[0].id: 1_000}, "", now()), other, words)
    assert orders.allowed_actions(p.pp, other, oh.today()) == {"cancel"}


@pytest.mark.parametrize("kind,words", WORDS)
def test_ppk_cannot_approve_an_order_of_a_sanctioned_supplier(p, kind, words):
    order = oh.place(p, oh.listed(p), 5)
    orders.confirm(p.supplier, order, now())
    db.session.commit()
    sanction(p, kind)
    refused(lambda: orders.approve(p.ppk, order, now(), oh.today()), order, words)
    assert order.sp_number is None and order.status is OrderStatus.CONFIRMED
    assert orders.allowed_actions(p.ppk, order, oh.today()) == {"cancel", "ppk_reject"}
    notice = orders.sanction_notice(order, oh.today())
    assert notice.sanction is kind and notice.stops_order and notice.until == oh.today() + timedelta(days=30)


def test_cancel_and_rejections_still_work(p):
    product = oh.listed(p, stock=50)
    confirmed = oh.place(p, product, 5)
    orders.confirm(p.supplier, confirmed, now())
    submitted = oh.place(p, product, 5)
    third = oh.place(p, product, 5)
    db.session.commit()
    sanction(p, Sanction.BLACKLISTED)
    assert "cancel" in orders.allowed_actions(p.pp, submitted, oh.today())
    orders.cancel(p.pp, submitted, "Penyedia masuk daftar hitam", now())
    orders.ppk_reject(p.ppk, confirmed, "Penyedia masuk daftar hitam", now())
    orders.supplier_reject(p.supplier, third, "Kami sedang disanksi", now())
    db.session.commit()
    assert submitted.status is OrderStatus.CANCELLED and confirmed.status is OrderStatus.REJECTED
    assert third.status is OrderStatus.REJECTED
    assert db.session.scalar(sa.select(Product.stock).where(Product.id == product.id)) == 50  # all released


def test_a_sanction_that_ended_lets_the_order_go_on(p):
    order = oh.place(p, oh.listed(p), 5)
    sanction(p, Sanction.SUSPENDED, days=3)
    later_now, later_today = now() + timedelta(days=5), oh.today() + timedelta(days=5)
    assert orders.sanction_notice(order, later_today) is None
    assert "confirm" in orders.allowed_actions(p.supplier, order, later_today)
    orders.confirm(p.supplier, order, later_now)  # the services read the sanction at the clock they are given
    assert "approve" in orders.allowed_actions(p.ppk, order, later_today)
    orders.approve(p.ppk, order, later_now, later_today)
    db.session.commit()
    assert order.status is OrderStatus.APPROVED and order.sp_number


def test_lifted_sanction_lets_the_order_go_on(p):
    order = oh.place(p, oh.listed(p), 5)
    sanction(p)
    suppliers.lift_sanction(p.admin, p.supplier.org.supplier)
    db.session.commit()
    orders.confirm(p.supplier, order, now())
    db.session.commit()
    assert order.status is OrderStatus.CONFIRMED


def test_approved_order_finishes_delivery_bast_and_payment(p):
    order = oh.place(p, oh.listed(p, stock=None), 4)
    orders.confirm(p.supplier, order, now())
    orders.approve(p.ppk, order, now(), oh.today())
    db.session.commit()
    sanction(p, Sanction.BLACKLISTED)
    notice = orders.sanction_notice(order, oh.today())
    assert notice.sanction is Sanction.BLACKLISTED and not notice.stops_order
    assert "ship" in orders.allowed_actions(p.supplier, order, oh.today())
    item = order.items[0]
    orders.ship(p.supplier, order, {item.id: 4}, "SJ-9", oh.today(), "", now(), oh.today())
    orders.sign_handover(p.ppk, order, {item.id: 4}, "", oh.today(), None, now(), oh.today())
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-9", orders.tax_breakdown(order).net, now(),
                          oh.today())
    db.session.commit()
    assert order.status is OrderStatus.PAID
    assert orders.sanction_notice(order, oh.today()) is None  # paid: nothing left for the supplier to do


def test_imposing_a_sanction_records_it_on_each_order_it_touches(p, create_supplier):
    product = oh.listed(p, stock=None)
    waiting = oh.place(p, product, 1)
    confirmed = oh.place(p, product, 1)
    orders.confirm(p.supplier, confirmed, now())
    approved = oh.place(p, product, 1)
    orders.confirm(p.supplier, approved, now())
    orders.approve(p.ppk, approved, now(), oh.today())
    cancelled = oh.place(p, product, 1)
    orders.cancel(p.pp, cancelled, "Salah pilih barang", now())
    db.session.commit()
    unread = {u.id: notifications.unread_count(u) for u in (p.pp, p.ppk, p.supplier)}
    sanction(p, Sanction.SUSPENDED)
    for order in (waiting, confirmed, approved):
        assert audit_actions(order)[-1] == "order.supplier_sanctioned"
    assert audit_actions(cancelled)[-1] == "order.cancelled"  # an ended order is not touched
    entry = audit.entries_for("orders", waiting.id)[-1]
    assert entry.actor_id == p.admin.id
    detail = json.loads(entry.detail)
    assert detail["sanction"] == "suspended" and detail["stops_order"] is True
    assert detail["until"] == (oh.today() + timedelta(days=30)).isoformat()
    assert json.loads(audit.entries_for("orders", approved.id)[-1].detail)["stops_order"] is False
    # The PP and the PPK are told about each order; the supplier is not (it knows).
    assert notifications.unread_count(p.pp) == unread[p.pp.id] + 3
    assert notifications.unread_count(p.ppk) == unread[p.ppk.id] + 3
    assert notifications.unread_count(p.supplier) == unread[p.supplier.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.event == "order.supplier_sanctioned")) == 6
    assert audit.verify_chain().ok  # last: it empties the session


def test_refusals_write_nothing_to_the_trail(p):
    order = oh.place(p, oh.listed(p), 5)
    sanction(p)
    before = len(audit_actions(order))
    for _ in range(2):
        with pytest.raises(WrongState):
            orders.confirm(p.supplier, order, now())
        db.session.rollback()
    assert len(audit_actions(order)) == before
