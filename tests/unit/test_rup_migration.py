"""The RUP migration keeps the orders made before the register: each Kode RUP they used
becomes a package of its OPD holding their live value, and a free-text justification
becomes the explanation, with no ground."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.orders import Order
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import orders
from tests import order_helpers as oh


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def _downgrade_with_data(downgrade) -> None:
    """Back to the schema before the register. SQLite copies `orders` to take columns
    with references out of it, which the other tables' references to `orders` forbid
    while foreign keys are on: SQLite's own recipe turns them off on the connection for
    that (the upgrade under test runs with them on)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        downgrade(revision="a1e0c0de0001")
        return

    def off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    engine.dispose()
    sa.event.listen(engine, "connect", off)
    try:
        downgrade(revision="a1e0c0de0001")
    finally:
        sa.event.remove(engine, "connect", off)
        engine.dispose()


def test_orders_from_before_the_register_get_their_packages(p):
    from flask_migrate import downgrade, upgrade

    product = oh.listed(p, price=1_000_000, stock=None)
    live, cancelled, other = (oh.place(p, product, n) for n in (3, 4, 5))
    orders.cancel(p.pp, cancelled, "Kegiatan ditunda", utcnow())
    db.session.execute(sa.update(Order).where(Order.id == live.id)
                       .values(preference_explanation="Produk lain tidak cocok dengan printer lama."))
    db.session.commit()
    ids, opd_id = (live.id, cancelled.id, other.id), p.pp.org_id
    db.session.remove()

    _downgrade_with_data(downgrade)
    with db.engine.begin() as conn:  # as the orders were: a typed Kode RUP, no package
        conn.execute(sa.text("UPDATE orders SET rup_code = '55550001' WHERE id IN (:a, :b)"),
                     {"a": ids[0], "b": ids[1]})
        conn.execute(sa.text("UPDATE orders SET rup_code = '55550002' WHERE id = :c"), {"c": ids[2]})
    upgrade()

    found = {pk.rup_code: pk for pk in db.session.scalars(sa.select(RupPackage))}
    assert set(found) == {"55550001", "55550002"}
    first = found["55550001"]
    assert (first.opd_id, first.pagu, first.method, first.name) == \
        (opd_id, 3_000_000, ProcurementMethod.E_PURCHASING, "Paket 55550001")  # the live order only
    assert found["55550002"].pagu == 5_000_000
    placed = {o.id: o for o in db.session.scalars(sa.select(Order))}
    assert [placed[i].package_id for i in ids] == [first.id, first.id, found["55550002"].id]
    assert placed[ids[0]].preference_explanation == "Produk lain tidak cocok dengan printer lama."
    assert placed[ids[0]].preference_ground is None and placed[ids[0]].went_down_tier
    assert not placed[ids[2]].went_down_tier
