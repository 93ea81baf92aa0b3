"""Partial BASTs (issue 11, "Documents"; docs/RULES.md, "Partial delivery and the rest"):
a BAST that receives less than ordered either leaves the rest open for delivery, and a
later BAST receives it, or cancels it with a reason; the PPK may also cancel a rest left
open. The order's value, the package's total, the taxes and the stock follow; each BAST
is its own document; the invoice (tagihan) comes when nothing is left undecided."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.catalogue import Product
from pbj.models.orders import HandoverRest, OrderDocumentKind as Kind, OrderStatus
from pbj.services import documents, orders, packages, penalties
from pbj.services.errors import DomainError, WrongState
from tests import order_helpers as oh
from tests.refusals import refused

REASON = "Penyedia tidak sanggup mengirim sisa kertas tahun ini"


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.without_pp55(oh.parties(create_org, create_user, create_supplier))


def approved(p, qty=10, price=100_000, stock=50):
    product = oh.listed(p, price=price, stock=stock)
    order = oh.place(p, product, qty)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    db.session.commit()
    return order, product


def ship(p, order, qty, note):
    item = order.items[0]
    return orders.ship(p.supplier, order, {item.id: qty}, note, oh.today(), "", utcnow(), oh.today())


def sign(p, order, qty, **kw):
    return orders.sign_handover(p.ppk, order, {order.items[0].id: qty}, "", oh.today(), None, utcnow(),
                                oh.today(), **kw)


def stock(product):
    return db.session.scalar(sa.select(Product.stock).where(Product.id == product.id))


def test_rest_left_open_then_delivered_gives_two_basts_and_one_invoice(p):
    order, product = approved(p)
    ship(p, order, 6, "SJ-1")
    first = sign(p, order, 6, rest="open")
    db.session.commit()
    item = order.items[0]
    assert order.status is OrderStatus.SHIPPED and first.rest is HandoverRest.OPEN
    assert (item.received_qty, item.cancelled_qty, item.to_ship, item.outstanding) == (6, 0, 4, 4)
    assert documents.issued(order, Kind.INVOICE) is None  # nothing is paid while the rest is open
    assert orders.allowed_actions(p.supplier, order, oh.today()) == {"ship"}
    assert orders.allowed_actions(p.ppk, order, oh.today()) == {"cancel_rest"}
    ship(p, order, 4, "SJ-2")
    second = sign(p, order, 4)
    db.session.commit()
    assert order.status is OrderStatus.RECEIVED and second.rest is None and second.sequence == 2
    assert [d.handover_id for d in order.deliveries] == [first.id, second.id]
    basts = [d for d in documents.issued_all(order) if d.kind is Kind.BAST]
    assert [d.number for d in basts] == [first.number, second.number]
    # Each BAST prints what it received; the first is unchanged by the second.
    one, two = (documents.document_content(d) for d in basts)
    assert [(i["received_before"], i["delivered"], i["quantity"]) for i in one["items"]] == [(0, 6, 6)]
    assert [(i["received_before"], i["delivered"], i["quantity"]) for i in two["items"]] == [(6, 4, 4)]
    assert (one["total"], two["total"]) == (600_000, 400_000)
    assert documents.fingerprint(one) == basts[0].fingerprint
    invoice = documents.document_content(documents.issued(order, Kind.INVOICE))
    assert invoice["total"] == 1_000_000 and [b["number"] for b in invoice["basts"]] == [first.number,
                                                                                          second.number]
    assert order.total == order.sp_total == 1_000_000 and stock(product) == 40


def test_rest_cancelled_at_the_bast_lowers_value_package_taxes_and_returns_stock(p):
    order, product = approved(p, qty=10, price=300_000, stock=50)
    package = order.package
    assert packages.live_total(package) == 3_000_000 and stock(product) == 40
    ship(p, order, 6, "SJ-1")
    db.session.commit()
    with refused(DomainError, "Less than ordered is received: choose whether the rest stays open for delivery "
                              "or is cancelled.", field="rest"):
        sign(p, order, 6)
    db.session.rollback()
    with refused(DomainError, "Write why the undelivered rest is cancelled (10 to 2000 characters); the "
                              "supplier and the auditors see it.", field="rest_reason"):
        sign(p, order, 6, rest="cancel", rest_reason="tidak")
    db.session.rollback()
    handover = sign(p, order, 6, rest="cancel", rest_reason=REASON)
    db.session.commit()
    item = order.items[0]
    assert order.status is OrderStatus.RECEIVED and handover.rest is HandoverRest.CANCELLED
    assert (item.quantity, item.received_qty, item.cancelled_qty) == (10, 6, 4)
    # Hand-worked: 6 × 300.000 = 1.800.000 received and paid; 4 × 300.000 = 1.200.000 cancelled.
    assert (order.sp_total, order.total, packages.live_total(package)) == (3_000_000, 1_800_000, 1_800_000)
    assert stock(product) == 44  # the 4 cancelled units go back on sale
    # Taxes on what is paid: 1.800.000 from a non-PKP supplier, above Rp 2 juta? No: at most
    # Rp 2 juta, so no PPh 22 is withheld (the SP's 3.000.000 would have been).
    tax = orders.tax_breakdown(order)
    assert (tax.gross, tax.pph, tax.net) == (1_800_000, 0, 1_800_000)
    # The SP still says what was ordered: its fingerprint is unchanged.
    sp = documents.issued(order, Kind.SURAT_PESANAN)
    assert documents.fingerprint(documents.document_content(sp)) == sp.fingerprint
    bast = documents.document_content(documents.issued(order, Kind.BAST))
    assert bast["bast"]["rest"] == "cancelled" and bast["bast"]["rest_reason"] == REASON
    assert [(i["quantity"], i["cancelled"]) for i in bast["items"]] == [(6, 4)]
    invoice = documents.document_content(documents.issued(order, Kind.INVOICE))
    assert [(i["ordered_quantity"], i["cancelled_quantity"], i["quantity"]) for i in invoice["items"]] == [
        (10, 4, 6)]
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-1", 1_800_000, utcnow(), oh.today())
    db.session.commit()
    actions = [e.action for e in orders_audit(order)]
    assert actions[-3:] == ["order.received", "order.rest_cancelled", "order.paid"]


def orders_audit(order):
    from pbj.services import audit
    return audit.entries_for("orders", order.id)


def test_the_ppk_cancels_a_rest_left_open_and_the_invoice_follows(p):
    order, product = approved(p, stock=None)
    ship(p, order, 3, "SJ-1")
    sign(p, order, 3, rest="open")
    db.session.commit()
    with refused(DomainError, "Write why the undelivered rest is cancelled (10 to 2000 characters); the "
                              "supplier and the auditors see it.", field="rest_reason"):
        orders.cancel_rest(p.ppk, order, "", utcnow(), oh.today())
    db.session.rollback()
    with pytest.raises(Exception):  # not the PPK's side
        orders.cancel_rest(p.supplier, order, REASON, utcnow(), oh.today())
    db.session.rollback()
    orders.cancel_rest(p.ppk, order, REASON, utcnow(), oh.today())
    db.session.commit()
    item = order.items[0]
    assert order.status is OrderStatus.RECEIVED and (item.received_qty, item.cancelled_qty) == (3, 7)
    assert order.rest_cancel_reason == REASON and order.rest_cancelled_by_id == p.ppk.id
    invoice = documents.document_content(documents.issued(order, Kind.INVOICE))
    assert invoice["rest_cancelled"] == {"by": p.ppk.name, "reason": REASON} and invoice["total"] == 300_000
    # A second click says it was decided.
    with refused(WrongState, "The undelivered rest was already decided on %(when)s: the order is received "
                             "as it stands."):
        orders.cancel_rest(p.ppk, order, REASON, utcnow(), oh.today())


def test_cancel_rest_waits_for_the_inspection_of_a_new_delivery(p):
    order, _product = approved(p)
    ship(p, order, 3, "SJ-1")
    sign(p, order, 3, rest="open")
    ship(p, order, 2, "SJ-2")
    db.session.commit()
    assert "cancel_rest" not in orders.allowed_actions(p.ppk, order, oh.today())
    with refused(WrongState, "A delivery waits for inspection: sign its BAST first, and decide the rest there."):
        orders.cancel_rest(p.ppk, order, REASON, utcnow(), oh.today())


def test_refused_goods_go_back_to_the_supplier_and_are_shipped_again(p):
    order, _product = approved(p)
    ship(p, order, 10, "SJ-1")
    handover = sign(p, order, 8, rest="open")  # 2 damaged
    db.session.commit()
    item = order.items[0]
    assert handover.lines == [{"item_id": item.id, "delivered": 10, "received": 8, "cancelled": 0}]
    assert (item.shipped_qty, item.to_ship) == (8, 2)
    ship(p, order, 2, "SJ-2")
    sign(p, order, 2)
    db.session.commit()
    assert order.status is OrderStatus.RECEIVED and item.received_qty == 10


def test_a_second_click_on_a_partial_bast_says_it_was_signed(p):
    order, _product = approved(p)
    ship(p, order, 4, "SJ-1")
    first = sign(p, order, 4, rest="open")
    db.session.commit()
    with refused(WrongState, "The BAST was already signed on %(when)s by %(name)s (number %(number)s).",
                 name=p.ppk.name, number=first.number):
        sign(p, order, 4, rest="open")


def test_the_bast_date_cannot_go_back_before_the_previous_bast(p):
    order, _product = approved(p)
    ship(p, order, 4, "SJ-1")
    sign(p, order, 4, rest="open")
    ship(p, order, 6, "SJ-2")
    db.session.commit()
    with pytest.raises(DomainError) as refusal:
        orders.sign_handover(p.ppk, order, {order.items[0].id: 6}, "", oh.today() - timedelta(days=1), None,
                             utcnow(), oh.today())
    assert refusal.value.field == "signed_on"


# Late delivery across two BASTs (rate 1 ‰ per day; non-PKP supplier, so the value before
# PPN is the gross). 10 × 100.000 ordered, due D; hand-worked:
#   basis  BAST 1 (SJ-1: 6 on D+2)           BAST 2 (SJ-2: 4 on D+5)            total
#   part   6 × 100.000 × 2 ‰ = 1.200         4 × 100.000 × 5 ‰ = 2.000          3.200
#   whole  1.000.000 × 2 ‰ = 2.000           1.000.000 × (5 − 2) ‰ = 3.000      5.000 (= 1.000.000 × 5 ‰)
@pytest.mark.parametrize("whole, first_penalty, second_penalty", [(False, 1_200, 2_000), (True, 2_000, 3_000)])
def test_late_penalty_per_bast_on_the_part_or_the_whole_order(p, whole, first_penalty, second_penalty):
    order, _product = approved(p)
    due = oh.today() - timedelta(days=5)
    order.needed_by = due
    first_note = ship(p, order, 6, "SJ-1")
    first_note.shipped_on = due + timedelta(days=2)
    first = sign(p, order, 6, rest="open", whole_order=whole)
    second_note = ship(p, order, 4, "SJ-2")
    second_note.shipped_on = due + timedelta(days=5)
    second = sign(p, order, 4, whole_order=not whole)  # the first BAST's basis holds
    db.session.commit()
    assert (first.penalty, second.penalty) == (first_penalty, second_penalty)
    assert first.penalty_basis == second.penalty_basis == ("whole" if whole else "part")
    assert penalties.deduction(order, 10**9) == first_penalty + second_penalty
    net = orders.tax_breakdown(order).net
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-2", net - first_penalty - second_penalty,
                          utcnow(), oh.today())


def test_goods_refused_at_inspection_are_not_charged_as_late_until_delivered_again(p):
    # 10 due D; SJ-1: 5 on D (on time), SJ-2: 5 on D+3; 8 accepted. The accepted units are
    # matched to the deliveries in date order: 5 on time, 3 late (the 2 refused are the
    # latest). Penalty 3 × 100.000 × 3 ‰ = 900.
    order, _product = approved(p)
    due = oh.today() - timedelta(days=3)
    order.needed_by = due
    ship(p, order, 5, "SJ-1").shipped_on = due
    ship(p, order, 5, "SJ-2").shipped_on = due + timedelta(days=3)
    handover = sign(p, order, 8, rest="open")
    assert handover.penalty == 900 and handover.penalty_detail[0]["value"] == 300_000
