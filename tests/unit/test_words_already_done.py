"""A second click on a lifecycle step: what the order says, state by state.

The table below is written out by hand from DESIGN.md's lifecycle, not derived from
`LIFECYCLE`: for each action and each state, either the step's "already done" message
(the order is at or past what the step leads to), the ending's message (the order was
cancelled, rejected or expired), or nothing (the order has not got there yet: the
step's own wrong-state reason applies). Then the same through the real services on
both databases: a second approve, BAST and payment, and a click that loses the race
against the first one (its order was loaded before the other click committed).
"""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import LocalTime
from pbj.models.orders import OfferAnswer, Order
from pbj.models.orders import OrderStatus as S
from pbj.services import orders
from pbj.services.errors import WrongState
from pbj.services.order_lifecycle import already_done
from tests import order_helpers as oh
from tests.refusals import refused

CONFIRMED = "The supplier already confirmed this order on %(when)s."
APPROVED = "This order was already approved on %(when)s by %(name)s (Surat Pesanan %(number)s)."
DELIVERED = "Delivery is finished: the BAST was already signed on %(when)s."
SIGNED = "The BAST was already signed on %(when)s by %(name)s (number %(number)s)."
PAID = "The payment was already recorded on %(when)s by %(name)s (reference %(reference)s)."
RATED = "The supplier was already rated on %(when)s by %(name)s."
CANCELLED = "This order was already cancelled on %(when)s."
REJECTED = "This order was already rejected on %(when)s."
EXPIRED = "This order already expired on %(when)s: its deadline passed."
ALL_SHIPPED = "Everything ordered was already delivered (last delivery note %(number)s, %(when)s)."
ACCEPTED = "This offer was already accepted on %(when)s."
DECLINED = "This offer was already declined on %(when)s."
COUNTERED = "This offer was already answered with a counter-offer on %(when)s."
ENDINGS = {S.CANCELLED: CANCELLED, S.REJECTED: REJECTED, S.EXPIRED: EXPIRED}

# status: what a second confirm, approve, ship, handover, pay, rate, cancel says
# (None: not there yet, or not a repeat).
TABLE = {
    S.SUBMITTED:   (None,      None,     None,      None,   None, None,  None),
    S.NEGOTIATING: (None,      None,     None,      None,   None, None,  None),
    S.CONFIRMED:   (CONFIRMED, None,     None,      None,   None, None,  None),
    S.APPROVED:    (CONFIRMED, APPROVED, None,      None,   None, None,  None),
    S.SHIPPED:     (CONFIRMED, APPROVED, None,      None,   None, None,  None),
    S.RECEIVED:    (CONFIRMED, APPROVED, DELIVERED, SIGNED, None, None,  None),
    S.PAID:        (CONFIRMED, APPROVED, DELIVERED, SIGNED, PAID, None,  None),
    S.COMPLETED:   (CONFIRMED, APPROVED, DELIVERED, SIGNED, PAID, RATED, None),
    S.CANCELLED:   (CANCELLED,) * 7,
    S.REJECTED:    (REJECTED,) * 7,
    S.EXPIRED:     (EXPIRED,) * 7,
}
ACTIONS = ("confirm", "approve", "ship", "handover", "pay", "rate", "cancel")
MOMENT = datetime(2026, 11, 20, 1, 0)


def _order(status, answer=None):
    person = SimpleNamespace(name="Rina Marlina")
    offers = [SimpleNamespace(answer=answer, answered_at=MOMENT)] if answer else []
    return SimpleNamespace(
        status=status, confirmed_at=MOMENT, approved_at=MOMENT, sp_number="SP/DISDIK/2026/0007",
        ppk=person,
        handover=SimpleNamespace(signed_on=date(2026, 11, 20), signed_by=person,
                                 number="BAST/DISDIK/2026/0003"),
        payment=SimpleNamespace(paid_on=date(2026, 11, 20), recorded_by=person, reference="SP2D-1"),
        rating=SimpleNamespace(rated_at=MOMENT, rated_by=person), ended_at=MOMENT, updated_at=MOMENT,
        handovers=[], offers=offers, open_offer=None, deliveries=[], items=[])


@pytest.mark.parametrize("status", list(TABLE), ids=lambda s: s.value)
def test_what_a_second_click_says_in_each_state(app, status):
    said = tuple(getattr(already_done(_order(status), action), "msgid", None) for action in ACTIONS)
    assert said == TABLE[status]


@pytest.mark.parametrize("shipped, msgid", [(4, ALL_SHIPPED), (3, None)])
def test_recording_the_last_delivery_again_says_everything_was_delivered(app, shipped, msgid):
    order = _order(S.SHIPPED)
    order.items = [SimpleNamespace(quantity=4, shipped_qty=shipped, to_ship=4 - shipped)]
    order.deliveries = [SimpleNamespace(note_number="SJ/KWM/2611/001", shipped_on=date(2026, 11, 20))]
    assert getattr(already_done(order, "ship"), "msgid", None) == msgid


def test_every_state_is_in_the_table():
    assert set(TABLE) == set(S)


@pytest.mark.parametrize("answer, msgid", [(OfferAnswer.ACCEPTED, ACCEPTED), (OfferAnswer.DECLINED, DECLINED),
                                           (OfferAnswer.COUNTERED, COUNTERED), (None, None)])
def test_answering_an_offer_that_was_answered_says_how(app, answer, msgid):
    for action in ("accept_offer", "decline_offer"):
        said = already_done(_order(S.SUBMITTED, answer), action)
        assert getattr(said, "msgid", None) == msgid


def test_the_message_carries_who_and_when(app):
    with app.test_request_context():
        said = already_done(_order(S.PAID), "approve")
        assert said.variables == {"when": LocalTime(MOMENT), "name": "Rina Marlina",
                                  "number": "SP/DISDIK/2026/0007"}
        # 01.00 UTC is 08.00 in Singkawang (WIB), in Indonesian, the default language.
        assert str(said) == ("Pesanan ini sudah disetujui pada 20 Nov 2026 08.00 oleh Rina Marlina "
                             "(Surat Pesanan SP/DISDIK/2026/0007).")


# -- Through the services, on both databases ------------------------------------------------

@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def test_second_approve_bast_and_payment_are_refused_as_already_done(p):
    order = oh.place(p, oh.listed(p), 4)
    item_id, now, today = order.items[0].id, utcnow(), oh.today()
    orders.confirm(p.supplier, order, now)
    number = orders.approve(p.ppk, order, now, today)
    with refused(WrongState, APPROVED, name=p.ppk.name, number=number):
        orders.approve(p.ppk, order, now, today)
    orders.ship(p.supplier, order, {item_id: 4}, "SJ-1", today, "", now, today)
    orders.sign_handover(p.ppk, order, {item_id: 4}, "", today, None, now, today)
    with refused(WrongState, SIGNED, name=p.ppk.name, number=order.handover.number):
        orders.sign_handover(p.ppk, order, {item_id: 4}, "", today, None, now, today)
    net = orders.tax_breakdown(order).net
    orders.record_payment(p.bendahara, order, today, "SP2D-9", net, now, today)
    with refused(WrongState, PAID, name=p.bendahara.name, reference="SP2D-9"):
        orders.record_payment(p.bendahara, order, today, "SP2D-9", net, now, today)
    with refused(WrongState, APPROVED):  # and a late approval, after payment
        orders.approve(p.ppk, order, now, today)
    db.session.commit()


def test_the_click_that_loses_the_race_says_what_the_winner_did(p):
    order = oh.place(p, oh.listed(p), 4)
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    # The other click's approval lands between this click's read of the order and its move.
    db.session.execute(sa.update(Order).where(Order.id == order.id)
                       .values(status=S.APPROVED, approved_at=utcnow(), sp_number="SP/LAIN/2026/0001")
                       .execution_options(synchronize_session=False))
    assert order.status is S.CONFIRMED  # what this click read
    with refused(WrongState, APPROVED, number="SP/LAIN/2026/0001"):
        orders.approve(p.ppk, order, utcnow(), oh.today())
    db.session.rollback()


def test_a_cancelled_order_says_so_to_every_later_click(p):
    order = oh.place(p, oh.listed(p), 4)
    orders.cancel(p.pp, order, "Kegiatan ditunda.", utcnow())
    for attempt in (lambda: orders.confirm(p.supplier, order, utcnow()),
                    lambda: orders.cancel(p.pp, order, "Sekali lagi.", utcnow()),
                    lambda: orders.supplier_reject(p.supplier, order, "Tidak sanggup.", utcnow())):
        with refused(WrongState, CANCELLED):
            attempt()
    db.session.commit()
