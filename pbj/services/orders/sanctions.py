"""Sanctions on the supplier: what stops an order, what the order page shows, and the
timeline entry on each order a new sanction touches."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.orders import OPEN_STATUSES, Order, OrderStatus
from pbj.models.suppliers import Sanction, SupplierProfile
from pbj.services.errors import WrongState
from pbj.services.orders.transitions import _record

# Before approval (nothing signed yet) a sanction in force stops the order: only cancel
# and the rejections remain. Once the Surat Pesanan is signed, delivery, BAST and
# payment may finish; the order only carries a notice.
SANCTION_STOPS = OPEN_STATUSES
SANCTION_NOTED = (OrderStatus.APPROVED, OrderStatus.SHIPPED, OrderStatus.RECEIVED)


@dataclass(frozen=True)
class SanctionNotice:
    """A sanction in force on an order's supplier, as the order page and list show it."""

    sanction: Sanction
    until: date | None
    stops_order: bool  # not yet approved: it cannot go on while the sanction lasts


def sanction_notice(order: Order, today: date) -> SanctionNotice | None:
    """The sanction in force on the order's supplier today, if it matters to this order."""
    if order.status not in SANCTION_STOPS + SANCTION_NOTED:
        return None
    sanction = order.supplier.active_sanction(today)
    if sanction is Sanction.NONE:
        return None
    return SanctionNotice(sanction, order.supplier.sanction_until, order.status in SANCTION_STOPS)


def _refuse_if_sanctioned(order: Order, today: date) -> None:
    """Refuse a step forward (confirm, negotiate, approve) while the supplier is sanctioned.

    The supplier row is read again under a share lock (PostgreSQL): a sanction being
    imposed at the same moment either committed first and is seen here, or waits for
    this transaction and then finds the order in its new state.
    """
    if order.status not in SANCTION_STOPS:
        return  # the state check that follows gives the better message
    supplier = db.session.scalars(
        sa.select(SupplierProfile).where(SupplierProfile.org_id == order.supplier_id)
        .with_for_update(read=True, of=SupplierProfile).execution_options(populate_existing=True)).one()
    sanction = supplier.active_sanction(today)
    if sanction is Sanction.NONE:
        return
    until = f"{supplier.sanction_until:%d/%m/%Y}" if supplier.sanction_until else "–"
    if sanction is Sanction.BLACKLISTED:
        raise WrongState(_l("%(name)s is blacklisted until %(until)s: while the sanction is in force its "
                            "orders cannot be confirmed, negotiated or approved. The buyer may still cancel "
                            "this order and the PPK reject it.", name=supplier.org.name, until=until))
    raise WrongState(_l("%(name)s is suspended until %(until)s: while the sanction is in force its orders "
                        "cannot be confirmed, negotiated or approved. The buyer may still cancel this "
                        "order and the PPK reject it.", name=supplier.org.name, until=until))


def record_supplier_sanction(actor: User | None, supplier: SupplierProfile, now: datetime) -> list[Order]:
    """A sanction was imposed: every order it touches gets the event on its timeline, and
    the order's PP and PPK a notice (pbj.services.suppliers.sanction_supplier calls this)."""
    affected = list(db.session.scalars(
        sa.select(Order).where(Order.supplier_id == supplier.org_id,
                               Order.status.in_(SANCTION_STOPS + SANCTION_NOTED)).order_by(Order.id)))
    for order in affected:
        _record("order.supplier_sanctioned", actor, order, now, sanction=supplier.sanction.value,
                until=supplier.sanction_until.isoformat() if supplier.sanction_until else None,
                stops_order=order.status in SANCTION_STOPS)
    return affected
