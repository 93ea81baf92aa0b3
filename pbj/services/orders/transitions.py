"""Moving an order: every step checks its lifecycle row, moves the order with one
conditional UPDATE (`WHERE status IN (...)`, so of two clicks at once one wins and the
other gets WrongState), writes exactly one audit entry and notifies the other side."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.orders import Order, OrderStatus
from pbj.services import audit, notifications
from pbj.services.errors import DomainError, WrongState
from pbj.services.events import ORDER_STATUS_LABELS
from pbj.services.order_lifecycle import LIFECYCLE, already_done
from pbj.services.workdays import deadline_after

MAX_REASON = 2000


def _move(order: Order, allowed: tuple[OrderStatus, ...], new: OrderStatus, now: datetime,
          also: tuple = (), **values) -> None:
    """Change the status only if it is still one of `allowed` (a race loses cleanly).

    `also`: further SQL conditions the row must still meet (expiry: the deadline passed).
    """
    if order.status not in allowed:
        raise WrongState(_l("This order is no longer in a state that allows this (it is now: %(status)s).",
                            status=ORDER_STATUS_LABELS[order.status]))
    values = {"status": new, "updated_at": now, **values}
    changed = db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.status.in_(allowed), *also).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(order)
        raise WrongState(_l("Someone else changed this order a moment ago; look at it again."))
    for key, value in values.items():
        set_committed_value(order, key, value)


def _record(event: str, actor: User | None, order: Order, now: datetime, notice: str | None = None,
            **detail) -> None:
    """The one audit entry of a transition, and the notice to the other side.

    `notice`: the notification's event when it says more than the audit action
    (an expiry names who missed the deadline: "order.expired.supplier").
    """
    audit.record(event, actor, order, at=now, **detail)
    notifications.notify(order, now, notice or event, actor)


def _advance(order: Order, action: str, now: datetime, **values) -> None:
    """Move the order along the lifecycle row of `action` (a race loses cleanly)."""
    step = LIFECYCLE[action]
    try:
        _move(order, step.from_states, step.to_state, now, **values)
    except WrongState:
        # The other click won a moment ago: say what it did rather than "someone changed it".
        done = already_done(order, action)
        if done is None:
            raise
        raise WrongState(done) from None


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not 5 <= len(text) <= MAX_REASON:
        raise DomainError(_l("Write the reason (5 to 2000 characters)."), field="reason")
    return text


def _supplier_deadline(now: datetime) -> datetime:
    """Before confirmation: each move (submission, an offer, an answer) gives the side
    that must answer `SUPPLIER_DEADLINE_WORKING_DAYS` working days."""
    return deadline_after(now, current_app.config["SUPPLIER_DEADLINE_WORKING_DAYS"])


def _ppk_deadline(now: datetime) -> datetime:
    """After the supplier's confirmation: the PPK approves or rejects within
    `PPK_DEADLINE_WORKING_DAYS` working days."""
    return deadline_after(now, current_app.config["PPK_DEADLINE_WORKING_DAYS"])
