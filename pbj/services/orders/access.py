"""Who may see an order, and who may take which step on it now."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from pbj.models.accounts import Role, User
from pbj.models.orders import Order
from pbj.services.errors import NotAllowed, WrongState
from pbj.services.order_lifecycle import LIFECYCLE, already_done, available, may_attempt
from pbj.services.orders.sanctions import _refuse_if_sanctioned, sanction_notice


def can_view(user: User, order: Order) -> bool:
    """The ordering OPD, the supplier, and the UKPBJ and auditors (oversight) see an order."""
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return True
    if user.role is Role.PENYEDIA:
        return user.org_id == order.supplier_id
    return user.org_id == order.opd_id


def orders_visible_to(user: User):
    """A where-clause limiting orders to those the user may see."""
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return sa.true()
    if user.role is Role.PENYEDIA:
        return Order.supplier_id == user.org_id
    return Order.opd_id == user.org_id


def allowed_actions(actor: User, order: Order, today: date) -> set[str]:
    """The actions this user may take on this order now (the page shows only these):
    the lifecycle table's rows for the user's side and the order's state, less those a
    sanction in force stops."""
    actions = {action for action in LIFECYCLE if available(actor, order, action)}
    stopped = {action for action in actions if LIFECYCLE[action].stopped_by_sanction}
    if stopped:
        notice = sanction_notice(order, today)
        if notice is not None and notice.stops_order:
            actions -= stopped
    return actions


def _require(condition: bool, message) -> None:
    if not condition:
        raise NotAllowed(message)


def _enter(actor: User, order: Order, action: str, not_yours, today: date | None = None) -> None:
    """Check a lifecycle step (`LIFECYCLE[action]`) before anything else: the actor's
    side (NotAllowed with `not_yours`), the order's state (WrongState: already done, or
    not yet possible) and a sanction in force (WrongState). The move itself checks the
    state again, atomically."""
    step = LIFECYCLE[action]
    _require(may_attempt(actor, order, action), not_yours)
    done = already_done(order, action)  # a second click says it was done, and when
    if done is not None:
        raise WrongState(done)
    if step.wrong_state is not None and order.status not in step.from_states:
        raise WrongState(step.wrong_state)
    if step.stopped_by_sanction:
        _refuse_if_sanctioned(order, today)
