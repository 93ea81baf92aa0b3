"""The demo's year of orders: made through the order services, so every rule holds."""
import random
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product
from pbj.models.orders import HandoverRest, Order, OrderStatus
from pbj.services import audit, orders

# Seeding a demo year takes tens of seconds: `make test` runs these, `make test-fast` does not.
pytestmark = pytest.mark.slow


def _numbers_per_opd_and_year(numbers):
    seen = defaultdict(list)
    for number in numbers:
        prefix, code, year, n = number.split("/")
        seen[(prefix, code, year)].append(int(n))
    return seen


def test_a_year_of_demo_orders_follows_the_order_rules(app):
    demo.seed(random.Random(61_72), products=150, orders=40)
    db.session.commit()
    placed = db.session.scalars(sa.select(Order).order_by(Order.id)).all()

    assert {order.status for order in placed} == set(OrderStatus)
    assert len({order.opd_id for order in placed}) >= 5
    assert len({order.submitted_at.strftime("%Y-%m") for order in placed}) >= 8
    assert min(order.submitted_at for order in placed) < utcnow() - timedelta(days=240)  # a year, not a week
    for order in placed:
        assert {item.product.supplier_id for item in order.items} == {order.supplier_id}
        if order.status in (OrderStatus.PAID, OrderStatus.COMPLETED):
            assert order.payment.net == orders.tax_breakdown(order).net
            assert order.payment.gross == order.received_total
        if order.status is OrderStatus.COMPLETED:
            assert 3 <= order.rating.stars <= 5 and order.rating.comment

    # Late deliveries carry their penalty (through the same service), one waived with a reason.
    late = [h for order in placed for h in order.handovers if h.penalty_computed]
    assert len(late) >= 3
    assert any(h.penalty == 0 and h.penalty_waiver_reason for h in late)
    assert any(h.penalty > 0 for h in late)
    # Partial BASTs: some orders are received in two BASTs, and a rest not received is
    # either delivered again or cancelled with a reason; nothing received is left undecided.
    assert any(len(order.handovers) > 1 for order in placed)
    assert any(item.cancelled_qty for order in placed for item in order.items)
    for order in placed:
        if order.status in (OrderStatus.RECEIVED, OrderStatus.PAID, OrderStatus.COMPLETED):
            assert all(item.outstanding == 0 for item in order.items)
            assert order.handover.rest is not HandoverRest.OPEN

    # Document numbers per OPD and year run 1..n without gaps.
    sp = _numbers_per_opd_and_year(order.sp_number for order in placed if order.sp_number)
    bast = _numbers_per_opd_and_year(h.number for order in placed for h in order.handovers)
    for numbers in [*sp.values(), *bast.values()]:
        assert sorted(numbers) == list(range(1, len(numbers) + 1))

    assert db.session.scalar(sa.select(sa.func.min(Product.stock))) >= 0

    # Every order is under a package of its OPD's register, of its year and source; the live
    # orders of a package stay within its pagu, and a PP's within the PP limit.
    from pbj.models.orders import DEAD_STATUSES
    from pbj.models.packages import ProcurementMethod, RupPackage
    from pbj.services import packages

    for order in placed:
        package = order.package
        assert package is not None and package.opd_id == order.opd_id
        assert (order.rup_code, order.budget_year, order.budget_source) == \
            (package.rup_code, package.budget_year, package.funding_source)
        assert package.method is ProcurementMethod.E_PURCHASING
        if order.went_down_tier:  # a lawful ground, explained, and accepted once approved
            assert order.preference_ground in app.config["PREFERENCE_GROUNDS"]
            assert "pagu" not in order.preference_explanation
            if order.approved_at:
                assert order.ground_accepted_by_id == order.ppk_id
    limit = app.config["PP_ORDER_LIMIT_RUPIAH"]
    for package in db.session.scalars(sa.select(RupPackage)):
        live = [o for o in placed if o.package_id == package.id and o.status not in DEAD_STATUSES]
        assert packages.live_total(package) == sum(o.total for o in live) <= package.pagu
        if any(o.buyer.role.value == "pp" for o in live):
            # A PP ordered under it: the total stood within the PP limit at each PP checkout.
            pp_totals = [sum(x.total for x in live if x.id <= o.id) for o in live if o.buyer.role.value == "pp"]
            assert max(pp_totals) <= limit
    this_year = city_today().year
    registers = db.session.scalars(sa.select(RupPackage).where(RupPackage.budget_year == this_year)).all()
    assert len({p.opd_id for p in registers}) == len({o.opd_id for o in placed} | {p.opd_id for p in registers})
    assert any(p.method is ProcurementMethod.TENDER for p in registers)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RupPackage)
                             .where(RupPackage.budget_year == this_year + 1)) >= 1
    # Open orders are within their deadline: the real expiry job has nothing to do.
    assert orders.expire_overdue(utcnow()) == []
    db.session.rollback()
    # No e-mail for a replayed year.
    outbox = Path(app.instance_path) / "outbox"
    assert not outbox.exists() or not any(outbox.iterdir())

    # The replay wrote its entries in time order (the set-up before it is stamped now).
    entries = db.session.execute(sa.select(AuditEntry.id, AuditEntry.occurred_at, AuditEntry.action)
                                 .order_by(AuditEntry.id)).all()
    first = next(n for n, entry in enumerate(entries) if entry.action.startswith(("order.", "rup.")))
    # After the replay: changes to a few published products (pbj.demo.catalogue.seed_revisions),
    # then the planted risk cases (pbj.demo.risks, from the officials' particulars on) and
    # today's budgets entered by UKPBJ (pbj.demo.seed_budgets).
    planted = next(n for n, entry in enumerate(entries) if entry.action == "user.particulars_changed")
    last = max(n for n, entry in enumerate(entries[:planted]) if entry.action.startswith(("order.", "rup.")))
    replayed, after = entries[first:last + 1], entries[last + 1:planted]
    assert {entry.action for entry in after} == {"product.revision_submitted", "product.revision_rejected"}
    assert {"budget.set", "order.approved", "supplier.payee_updated"} <= {e.action for e in entries[planted:]}
    # Orders, and the packages the OPDs add to their RUP register as the year goes.
    assert all(entry.action.startswith(("order.", "rup.")) for entry in replayed)
    assert all(a.occurred_at <= b.occurred_at for a, b in zip(replayed, replayed[1:]))
    assert audit.verify_chain().ok  # last: it empties the session


def test_seed_demo_orders_option(app, runner):
    result = runner.invoke(args=["seed-demo", "--products", "40", "--orders", "0"])
    assert result.exit_code == 0, result.output
    assert "Catalogue:" in result.output and "Orders:" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    # The city's current year of holidays is loaded (national list and, for 2026, the SKB's cuti bersama).
    from datetime import date

    from pbj.clock import city_today
    from pbj.models.holidays import Holiday

    year = city_today().year
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Holiday).where(
        Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))) >= 15


def test_the_first_officials_in_the_credentials_find_work_waiting(app):
    from pbj.demo import BUYING_OPDS
    from pbj.demo.orders import FIRST_OPD

    assert FIRST_OPD == BUYING_OPDS[0]  # the OPD whose accounts head instance/demo-credentials.txt
    demo.seed(random.Random(7), products=120, orders=30)
    db.session.commit()
    waiting = {order.status for order in db.session.scalars(sa.select(Order).join(Order.opd).where(
        Organisation.code == FIRST_OPD))}
    # Its PPK has an order to approve and its bendahara a BAST to pay, on the first login.
    assert {OrderStatus.CONFIRMED, OrderStatus.RECEIVED} <= waiting


def test_the_demo_enters_budgets_so_the_meter_compares_with_them(app):
    from pbj.services import spending

    demo.seed(random.Random(11), products=120, orders=30)
    db.session.commit()
    year = city_today().year
    bought = {opd_id for opd_id, figures in spending.by_opd(spending.Filters(year)).items() if figures.committed}
    assert bought
    for opd_id in bought:
        meter = spending.meter(opd_id, year)
        assert meter.budget and meter.budget >= meter.figures.committed  # entered for every OPD that bought
