"""Orders built directly with the models, for the document tests.

The lifecycle services are not used on purpose: these tests pin the documents
down whatever state machine issues them. The helper sets the status, the SP
number and the BAST as the transitions would.
"""
from __future__ import annotations

from datetime import date, timedelta

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, User
from pbj.models.catalogue import Product
from pbj.models.orders import BudgetSource, Handover, Order, OrderItem, OrderStatus


def make_order(opd: Organisation, ppk: User, supplier_org_id: int, lines: list[tuple[Product, int, int]], *,
               status: OrderStatus = OrderStatus.APPROVED, sp_number: str | None = "SP-001",
               received: dict[int, int] | None = None, bast_number: str | None = None,
               is_pkp: bool = False, has_pp55: bool = False, buyer: User | None = None) -> Order:
    """An order of `opd` from the supplier, one line per (product, quantity, agreed price).

    `received` maps a line's position to the quantity shipped and received;
    with `bast_number` the order also gets its BAST, signed by the PPK.
    """
    now = utcnow()
    order = Order(
        opd_id=opd.id, supplier_id=supplier_org_id, buyer_id=(buyer or ppk).id, ppk_id=ppk.id, status=status,
        rup_code="41234567", budget_year=2026, budget_source=BudgetSource.APBD,
        delivery_address="Jl. Firdaus No. 1, Singkawang", needed_by=date(2026, 12, 15),
        supplier_is_pkp=is_pkp, supplier_has_pp55=has_pp55, supplier_deadline=now, ppk_deadline=now + timedelta(days=3),
        approved_at=now, sp_number=sp_number,
    )
    for position, (product, quantity, price) in enumerate(lines):
        got = (received or {}).get(position, 0)
        order.items.append(OrderItem(
            product_id=product.id, name=product.name, unit=product.unit, category_id=product.category_id,
            list_price=max(price, product.unit_price), agreed_price=price, quantity=quantity,
            preference=int(product.preference), shipped_qty=got, received_qty=got))
    db.session.add(order)
    db.session.flush()
    if bast_number:
        lines = [{"item_id": item.id, "delivered": item.received_qty, "received": item.received_qty,
                  "cancelled": 0} for item in order.items]
        db.session.add(Handover(order_id=order.id, number=bast_number, signed_by_id=ppk.id,
                                signed_on=date(2026, 12, 10), lines=lines))
        db.session.flush()
    return order
