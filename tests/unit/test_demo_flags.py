"""The demo year raises the risk flags it plants and no others (docs/RULES.md "What the
demo plants"): a demo shows every kind, and an auditor trying it is not buried in noise."""
from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.catalogue import Product
from pbj.models.flags import FlagKind, RiskFlag
from pbj.models.orders import DEAD_STATUSES, Handover, Order, OrderStatus
from pbj.services import flags

# Seeding a demo year takes tens of seconds: `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow


def _orders(flag: RiskFlag) -> list[Order]:
    return [db.session.get(Order, order_id) for order_id in flag.links["orders"]]


def _product(flag: RiskFlag) -> Product:
    [product_id] = flag.links["products"]
    return db.session.get(Product, product_id)


def test_the_demo_year_raises_its_planted_flags_and_no_others(app):
    demo.seed(random.Random(61_72), products=300, orders=80)
    db.session.commit()
    flags.refresh(utcnow(), city_today())
    db.session.commit()
    raised: dict[FlagKind, list[RiskFlag]] = defaultdict(list)
    for flag in db.session.scalars(sa.select(RiskFlag).where(RiskFlag.active.is_(True)).order_by(RiskFlag.id)):
        raised[flag.kind].append(flag)
    assert set(raised) == set(FlagKind)  # every kind shows

    [split] = raised[FlagKind.SPLIT]
    parts = _orders(split)
    assert sorted(o.package.name for o in parts) == [f"Belanja perlengkapan kantor tahap {n}" for n in (1, 2, 3)]
    assert len({o.package.rup_code for o in parts}) == 3 and len({o.supplier_id for o in parts}) == 1
    # The same three orders are most of their OPD's and PPK's year: concentration, once each way.
    assert sorted(f.numbers["by"] for f in raised[FlagKind.CONCENTRATION]) == ["opd", "ppk"]
    assert all(f.links["orders"] == split.links["orders"] for f in raised[FlagKind.CONCENTRATION])

    [price] = raised[FlagKind.PRICE]
    assert _product(price).name.endswith("Edisi Eksklusif") and price.numbers["basis"] == "median"
    [fast] = raised[FlagKind.FAST_ORDER]
    assert _product(fast).name.endswith("(Stok Baru)") and fast.numbers["hours"] == "30.0"
    tkdn = {f.numbers["problem"]: f for f in raised[FlagKind.TKDN]}
    assert sorted(tkdn) == ["changed", "expired"] and len(raised[FlagKind.TKDN]) == 2
    assert _product(tkdn["expired"]).name.endswith("Produksi Lama")
    assert tkdn["changed"].numbers["new"] == "42"

    [conflict] = raised[FlagKind.CONFLICT]
    between = _orders(conflict)  # every order of that supplier the PPK ordered or approved
    latest = db.session.scalar(sa.select(Order).where(Order.status == OrderStatus.COMPLETED)
                               .order_by(Order.id.desc()))
    assert latest in between and {(o.supplier_id, o.ppk_id) for o in between} == {(latest.supplier_id, latest.ppk_id)}
    assert conflict.numbers["basis"] == "phone" and conflict.numbers["matched"] == latest.supplier.phone
    assert conflict.links["users"] == [latest.ppk_id]

    late = {bool(f.numbers.get("paid_on")): _orders(f)[0] for f in raised[FlagKind.LATE_PAYMENT]}
    assert len(raised[FlagKind.LATE_PAYMENT]) == 2 and late[False].status is OrderStatus.RECEIVED
    assert late[True].payment is not None and late[True].payment.paid_on.isoformat() > \
        next(f for f in raised[FlagKind.LATE_PAYMENT] if f.numbers.get("paid_on")).numbers["due_on"]

    # The ordinary year's own: every waived penalty, and every PPK with three or more
    # orders down a preference tier on one ground in a year.
    waived = db.session.scalars(sa.select(Handover.id).where(Handover.penalty_waived_by_id.is_not(None))).all()
    assert sorted(int(f.key.rsplit("=", 1)[1]) for f in raised[FlagKind.PENALTY_WAIVED]) == sorted(waived)
    groups = Counter(db.session.execute(
        sa.select(Order.ppk_id, Order.preference_ground, Order.budget_year)
        .where(Order.preference_ground.is_not(None), Order.status.not_in(DEAD_STATUSES))).tuples().all())
    least = app.config["FLAG_PREFERENCE_MIN_ORDERS"]
    assert sorted(f.key for f in raised[FlagKind.PREFERENCE]) == sorted(
        f"preference:ppk={ppk}:ground={ground}:{year}" for (ppk, ground, year), n in groups.items() if n >= least)
