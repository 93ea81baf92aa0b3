"""The steps that only move an order: confirm, approve (the Surat Pesanan), and the
endings (cancel, the rejections, expiry), which close an open offer and give the stock back."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from pbj.clock import city_date
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.catalogue import Product
from pbj.models.orders import OPEN_STATUSES, Order, OrderDocumentKind, OrderStatus, PaymentMethod
from pbj.services.errors import DomainError, WrongState
from pbj.services.orders.access import _enter
from pbj.services.orders.checkout import _release
from pbj.services.orders.delivery import fix_taxes
from pbj.services.orders.negotiation import _close_open_offer
from pbj.services.orders.numbering import _document_number, _issue
from pbj.services.order_lifecycle import LIFECYCLE
from pbj.services.orders.transitions import _advance, _move, _ppk_deadline, _reason, _record


def _end(actor: User | None, order: Order, action: str, event: str, end_reason: str | None, now: datetime,
         stage: tuple[tuple[OrderStatus, ...], tuple] | None = None, notice: str | None = None,
         **detail) -> None:
    """Cancel, reject or expire: the order ends, an open offer closes and the stock comes back.

    `stage`: the states and SQL conditions the order must still be in (expiry: the stage
    whose deadline passed), instead of every state the action's lifecycle row allows.
    """
    if stage is None:
        _advance(order, action, now, ended_at=now, end_reason=end_reason)
    else:
        states, conditions = stage
        _move(order, states, LIFECYCLE[action].to_state, now, also=conditions, ended_at=now,
              end_reason=end_reason)
    _close_open_offer(order, None, now)
    _release(order, now)
    _record(event, actor, order, now, notice=notice, **detail)


def cancel(actor: User, order: Order, reason: str, now: datetime) -> None:
    _enter(actor, order, "cancel", _l("Only the ordering OPD's PP or PPK may cancel this order."))
    reason = _reason(reason)
    _end(actor, order, "cancel", "order.cancelled", reason, now, reason=reason)


def supplier_reject(actor: User, order: Order, reason: str, now: datetime) -> None:
    _enter(actor, order, "supplier_reject", _l("Only the supplier may reject this order."))
    reason = _reason(reason)
    _end(actor, order, "supplier_reject", "order.rejected_by_supplier", reason, now, reason=reason)


def confirm(actor: User, order: Order, now: datetime) -> None:
    _enter(actor, order, "confirm", _l("Only the supplier may confirm this order."), city_date(now))
    if order.open_offer is not None:
        raise WrongState(_l("Answer the open price offer first."))
    _advance(order, "confirm", now, confirmed_at=now, ppk_deadline=_ppk_deadline(now))
    _record("order.confirmed", actor, order, now, total=order.total)


def ppk_reject(actor: User, order: Order, reason: str, now: datetime) -> None:
    _enter(actor, order, "ppk_reject", _l("Only the PPK named on this order may reject it."))
    reason = _reason(reason)
    _end(actor, order, "ppk_reject", "order.rejected_by_ppk", reason, now, reason=reason)


def approve(actor: User, order: Order, now: datetime, today: date, accept_ground: bool = False,
            payment_method: PaymentMethod | None = None) -> str:
    """The PPK approves: the Surat Pesanan is issued with the next number of the OPD.

    An order that went down a domestic-preference tier needs `accept_ground`: the PPK
    accepts the buyer's lawful ground and explanation (stored, with who and when, and
    in the audit entry)."""
    _enter(actor, order, "approve", _l("Only the PPK named on this order may approve it."), today)
    accepted = {}
    if order.went_down_tier:
        if not accept_ground:
            raise DomainError(_l("This order buys below a higher domestic-preference tier listed in the same "
                                 "category: read the ground and the explanation, and tick that you accept "
                                 "them before approving (or reject the order)."), field="accept_ground")
        accepted = dict(ground_accepted_by_id=actor.id, ground_accepted_at=now)
    # The PPK may change the buyer's payment method; the SP carries the one approved.
    if payment_method is not None:
        if not isinstance(payment_method, PaymentMethod):
            raise DomainError(_l("Choose the payment method: UP/GU, LS or KKPD."), field="payment_method")
        if payment_method is not order.payment_method:
            accepted["payment_method"] = payment_method
    _advance(order, "approve", now, approved_at=now, **accepted)
    fix_taxes(order, today)
    number = _document_number(order, OrderDocumentKind.SURAT_PESANAN, today)
    order.sp_number = number
    db.session.flush()
    _issue(order, OrderDocumentKind.SURAT_PESANAN, number, now)
    detail = dict(ground_accepted=True, preference_ground=order.preference_ground) if order.went_down_tier else {}
    detail["payment_method"] = order.payment_method.value
    _record("order.approved", actor, order, now, sp_number=number, total=order.total, **detail)
    return number


# Before confirmation the order waits on the supplier (or on the buyer, while the
# supplier's own offer is open) until `supplier_deadline`; once confirmed, on the PPK
# until `ppk_deadline`.
BEFORE_CONFIRMATION = (OrderStatus.SUBMITTED, OrderStatus.NEGOTIATING)
# The notice of an expiry names who missed the deadline.
EXPIRY_NOTICES = {"supplier": "order.expired.supplier", "buyer": "order.expired.buyer", "ppk": "order.expired.ppk"}


def expire_overdue(now: datetime) -> list[int]:
    """Expire open orders past the deadline of their stage and release their stock.

    Each expiry names who missed the deadline (`missed_by`: "supplier", "buyer" or
    "ppk") in its audit entry, and the notice to both sides says it.
    """
    supplier_late = Order.supplier_deadline < now
    ppk_late = Order.ppk_deadline < now
    # Two queries, each on its own (status, deadline) index.
    overdue = sorted([
        *db.session.scalars(sa.select(Order).where(Order.status.in_(BEFORE_CONFIRMATION), supplier_late)),
        *db.session.scalars(sa.select(Order).where(Order.status == OrderStatus.CONFIRMED, ppk_late)),
    ], key=lambda order: order.id)
    # Every product row first, in id order, before the first audit entry takes the audit
    # lock: the same order as checkout, so the two cannot deadlock on PostgreSQL.
    product_ids = sorted({item.product_id for order in overdue for item in order.items if item.reserved})
    if product_ids:
        db.session.execute(sa.select(Product.id).where(Product.id.in_(product_ids))
                           .order_by(Product.id).with_for_update())
    expired = []
    for order in overdue:
        missed_by = order.waiting_on
        if missed_by == "ppk":
            deadline, stage = order.ppk_deadline, ((OrderStatus.CONFIRMED,), (ppk_late,))
        else:
            deadline, stage = order.supplier_deadline, (BEFORE_CONFIRMATION, (supplier_late,))
        try:
            # No reason text: the audit entry says who missed which deadline, and the
            # timeline words it in the reader's language.
            _end(None, order, "expire", "order.expired", None, now, stage=stage,
                 notice=EXPIRY_NOTICES[missed_by], deadline=deadline.isoformat(), missed_by=missed_by,
                 actor_label="system")
        except WrongState:
            continue  # acted on a moment ago (confirmed, answered, ended)
        expired.append(order.id)
    return expired
