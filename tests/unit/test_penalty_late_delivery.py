"""Late-delivery penalty at the BAST (issue 11, "Late delivery"; docs/RULES.md, "Late
delivery"): 1 per mille per calendar day of the value before PPN of what was delivered
after the SP's delivery date, stored on the BAST, waivable by the PPK with a reason,
deducted at payment."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.services import orders, penalties
from pbj.services.errors import DomainError
from tests import order_helpers as oh


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    parties = oh.parties(create_org, create_user, create_supplier)
    parties.supplier.org.supplier.has_pp55_certificate = False
    db.session.commit()
    return parties


def delivered(p, *, price, qty, late_days, on_time=0, pkp=False):
    """An approved order whose SP delivery date is `late_days` before today: `on_time`
    units delivered on that date and the rest today (late by `late_days`)."""
    p.supplier.org.supplier.is_pkp = pkp
    order = oh.place(p, oh.listed(p, price=price, stock=None), qty)
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    due = oh.today() - timedelta(days=late_days)
    if on_time:
        first = orders.ship(p.supplier, order, {item.id: on_time}, "SJ-1", oh.today(), "", utcnow(), oh.today())
        first.shipped_on = due  # delivered on the promised date
    if qty - on_time:
        orders.ship(p.supplier, order, {item.id: qty - on_time}, "SJ-2", oh.today(), "", utcnow(), oh.today())
    order.needed_by = due
    db.session.commit()
    return order


def sign(p, order, **kw):
    item = order.items[0]
    handover = orders.sign_handover(p.ppk, order, {item.id: item.shipped_qty}, "", oh.today(), None, utcnow(),
                                    oh.today(), **kw)
    db.session.commit()
    return handover


# Hand-worked (rate 1 ‰ per day; PPN 12 % on DPP nilai lain 11/12, so a PKP price of
# 111.000 carries PPN 109.999 on 1.110.000 and is worth 1.000.001 before PPN):
#   case                          late value (gross) value before PPN  days  penalty
#   on time                       0                  0                 0     0
#   1 day late, not PKP           10 × 100.000       1.000.000         1     1.000
#   6 on time + 4 late 3 days     4 × 100.000        400.000           3     1.200
#   PKP, 5 days late              10 × 111.000       1.000.001         5     5.000 (5.000,005 rounded down)
#   not PKP, 5 days late          10 × 111.000       1.110.000         5     5.550
CASES = [
    ("on time", dict(price=100_000, qty=10, late_days=0), 0, 0),
    ("1 day late", dict(price=100_000, qty=10, late_days=1), 1_000_000, 1_000),
    ("partial late", dict(price=100_000, qty=10, late_days=3, on_time=6), 400_000, 1_200),
    ("PKP", dict(price=111_000, qty=10, late_days=5, pkp=True), 1_000_001, 5_000),
    ("not PKP", dict(price=111_000, qty=10, late_days=5), 1_110_000, 5_550),
]


@pytest.mark.parametrize("name, setup, value, penalty", CASES, ids=[c[0] for c in CASES])
def test_hand_worked_penalties(p, name, setup, value, penalty):
    order = delivered(p, **setup)
    handover = sign(p, order)
    assert sum(row["value"] for row in handover.penalty_detail) == value
    assert (handover.penalty_computed, handover.penalty) == (penalty, penalty)
    if setup["late_days"]:
        assert [row["days"] for row in handover.penalty_detail] == [setup["late_days"]]
    else:
        assert handover.penalty_detail == []


def test_delivery_on_the_promised_date_is_not_late(p):
    order = delivered(p, price=100_000, qty=10, late_days=2, on_time=10)
    assert penalties.compute(order).total == 0


def test_payment_refuses_the_old_net_and_accepts_net_less_penalty(p):
    order = delivered(p, price=100_000, qty=10, late_days=1)   # under Rp 2 juta: net = gross = 1.000.000
    sign(p, order)
    assert orders.tax_breakdown(order).net == 1_000_000
    with pytest.raises(DomainError) as refused:
        orders.record_payment(p.bendahara, order, oh.today(), "SP2D-1", 1_000_000, utcnow(), oh.today())
    assert refused.value.field == "amount"
    assert "Rp 1.000.000 − Rp 1.000 = Rp 999.000" in str(refused.value.message)
    payment = orders.record_payment(p.bendahara, order, oh.today(), "SP2D-1", 999_000, utcnow(), oh.today())
    db.session.commit()
    assert payment.net == 1_000_000
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "order.paid")).all()[-1]
    assert (entry.detail_data["penalty"], entry.detail_data["transferred"]) == (1_000, 999_000)


def test_waiver_keeps_the_computed_amount_and_pays_the_full_net(p):
    order = delivered(p, price=100_000, qty=10, late_days=1)
    with pytest.raises(DomainError) as refused:
        sign(p, order, waive_penalty=True, waiver_reason="banjir")
    assert refused.value.field == "waiver_reason"
    db.session.rollback()
    order = db.session.get(type(order), order.id)
    handover = sign(p, order, waive_penalty=True, waiver_reason="Banjir menutup jalan ke gudang (keadaan kahar)")
    assert (handover.penalty_computed, handover.penalty) == (1_000, 0)
    assert handover.penalty_waived_by_id == p.ppk.id
    assert "keadaan kahar" in handover.penalty_waiver_reason
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "order.penalty_waived" in actions
    orders.record_payment(p.bendahara, order, oh.today(), "SP2D-2", 1_000_000, utcnow(), oh.today())


def test_waiver_without_a_penalty_is_ignored(p):
    order = delivered(p, price=100_000, qty=10, late_days=0)
    handover = sign(p, order, waive_penalty=True, waiver_reason="")
    assert handover.penalty_waived_by_id is None and handover.penalty == 0


def test_bast_and_invoice_carry_the_penalty_and_an_issued_v2_bast_keeps_its_fingerprint(p):
    from pbj.models.orders import OrderDocumentKind as Kind
    from pbj.services import documents
    order = delivered(p, price=100_000, qty=10, late_days=1)
    sign(p, order)
    bast = documents.issued(order, Kind.BAST)
    assert bast.content_version == documents.CONTENT_VERSION == 4
    data = documents.content(order, Kind.BAST)
    assert data["late_penalty"]["computed"] == 1_000 and data["late_penalty"]["deducted"] == 1_000
    assert data["late_penalty"]["rows"][0]["days"] == 1
    assert documents.content(order, Kind.INVOICE)["late_penalty"]["deducted"] == 1_000
    assert documents.fingerprint(data) == bast.fingerprint
    # As a BAST issued before the penalty was printed leaves it: shape 2 and its fingerprint.
    bast.content_version = 2
    bast.fingerprint = documents.fingerprint(documents.content(order, Kind.BAST, version=2))
    db.session.flush()
    assert "late_penalty" not in documents.content(order, Kind.BAST)
    order.handover.penalty_waiver_reason = "Ditambahkan kemudian"  # the penalty changing later ...
    order.handover.penalty_waived_by_id = p.ppk.id
    db.session.flush()
    db.session.expire(order.handover)
    # ... changes nothing the v2 BAST covers.
    assert documents.fingerprint(documents.content(order, Kind.BAST)) == bast.fingerprint
