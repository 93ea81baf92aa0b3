"""The order lifecycle in one table: who takes each action, from which states, to which.

"Where is the PPK approval rule?" — `LIFECYCLE["approve"]`: the order's own PPK, from
CONFIRMED to APPROVED, stopped by a sanction in force. The services enforce these rows
(`pbj.services.orders` checks the side, the state and the sanction from here and moves
the order with a conditional UPDATE from `from_states` to `to_state`), the order page
offers exactly the actions `available()` grants, and the views route by action name.
What each action needs besides its row (prices, dates, quantities) stays in its service.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app

from pbj.messages import LocalTime, Message
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import BUYER_ROLES, Role, User
from pbj.models.orders import OPEN_STATUSES, OfferAnswer, OfferSide, Order, OrderStatus

S = OrderStatus


# -- The sides of an order ----------------------------------------------------------------

def buyer_side(actor: User, order: Order) -> bool:
    """The ordering OPD's PP or PPK."""
    return actor.role in BUYER_ROLES and actor.org_id == order.opd_id


def supplier_side(actor: User, order: Order) -> bool:
    return actor.role is Role.PENYEDIA and actor.org_id == order.supplier_id


def order_ppk(actor: User, order: Order) -> bool:
    """The PPK named on the order (not any PPK of the OPD)."""
    return actor.role is Role.PPK and actor.id == order.ppk_id


def bendahara(actor: User, order: Order) -> bool:
    return actor.role is Role.BENDAHARA and actor.org_id == order.opd_id


def must_act(actor: User, order: Order) -> bool:
    """The open order waits for the actor's side, before the deadline of its stage."""
    return {"supplier": supplier_side, "buyer": buyer_side, "ppk": order_ppk}.get(
        order.waiting_on, lambda actor, order: False)(actor, order)


# -- Conditions besides the state ----------------------------------------------------------

def rounds_left(order: Order) -> int:
    """Offers either side may still make (`NEGOTIATION_MAX_ROUNDS` in all)."""
    return max(0, current_app.config["NEGOTIATION_MAX_ROUNDS"] - len(order.offers))


def unshipped(order: Order) -> bool:
    """Something is still to be delivered (ordered, not cancelled, not shipped or refused)."""
    return any(item.to_ship > 0 for item in order.items)


def awaiting_inspection(order: Order) -> bool:
    """Something was delivered since the last BAST."""
    return any(item.awaiting_inspection > 0 for item in order.items)


def rest_left_open(order: Order) -> bool:
    """A partial BAST left the rest open and nothing waits for inspection."""
    return bool(order.handovers) and not awaiting_inspection(order) and any(
        item.outstanding > 0 for item in order.items)


def _offer_waits_for(actor: User, order: Order) -> bool:
    """An open offer made by the other side than the actor's."""
    offer = order.open_offer
    if offer is None:
        return False
    return supplier_side(actor, order) if offer.side is OfferSide.BUYER else buyer_side(actor, order)


def _may_offer(actor: User, order: Order) -> bool:
    # The buyer opens a negotiation; either side may counter an offer waiting for it.
    opens = order.open_offer is None and buyer_side(actor, order)
    return rounds_left(order) > 0 and (opens or _offer_waits_for(actor, order))


def _nothing_open(actor: User, order: Order) -> bool:
    return order.open_offer is None


def _ships_left(actor: User, order: Order) -> bool:
    return unshipped(order)


def _inspection_due(actor: User, order: Order) -> bool:
    return awaiting_inspection(order)


def _rest_open(actor: User, order: Order) -> bool:
    return rest_left_open(order)


def _rating_unanswered(actor: User, order: Order) -> bool:
    return order.rating is not None and order.rating.reply is None


def _always(actor: User, order: Order) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One action of the lifecycle."""

    sides: tuple[Callable[[User, Order], bool], ...]  # who may take it (empty: the system)
    from_states: tuple[OrderStatus, ...]
    to_state: OrderStatus | None  # None: the status stays (a reply to a rating)
    label: Message | None  # the button (None: nobody presses it)
    # Why not, when the order is in another state; None: the conditional move refuses
    # it ("no longer in a state that allows this"), as for the endings.
    wrong_state: Message | None
    when: Callable[[User, Order], bool] = _always  # what else the page checks before offering it
    stopped_by_sanction: bool = False  # refused while the supplier's sanction is in force
    # What a second click says once the order is at or past `to_state` (see `already_done`).
    done: Callable[[Order], Message] | None = None


# -- A second click: the step was already taken ------------------------------------------

# How far along its way an order is; the endings are not on the way.
PROGRESS = {S.SUBMITTED: 0, S.NEGOTIATING: 0, S.CONFIRMED: 1, S.APPROVED: 2, S.SHIPPED: 3, S.RECEIVED: 4,
            S.PAID: 5, S.COMPLETED: 6}


def _confirmed(order: Order) -> Message:
    return _l("The supplier already confirmed this order on %(when)s.", when=LocalTime(order.confirmed_at))


def _approved(order: Order) -> Message:
    return _l("This order was already approved on %(when)s by %(name)s (Surat Pesanan %(number)s).",
              when=LocalTime(order.approved_at), name=order.ppk.name, number=order.sp_number)


def _delivered(order: Order) -> Message:
    return _l("Delivery is finished: the BAST was already signed on %(when)s.",
              when=LocalTime(order.handover.signed_on))


def _all_shipped(order: Order) -> Message:
    last = order.deliveries[-1]
    return _l("Everything ordered was already delivered (last delivery note %(number)s, %(when)s).",
              number=last.note_number, when=LocalTime(last.shipped_on))


def _handed_over(order: Order) -> Message:
    handover = order.handover
    return _l("The BAST was already signed on %(when)s by %(name)s (number %(number)s).",
              when=LocalTime(handover.signed_on), name=handover.signed_by.name, number=handover.number)


def _rest_decided(order: Order) -> Message:
    return _l("The undelivered rest was already decided on %(when)s: the order is received as it stands.",
              when=LocalTime(order.received_at))


def _paid(order: Order) -> Message:
    payment = order.payment
    return _l("The payment was already recorded on %(when)s by %(name)s (reference %(reference)s).",
              when=LocalTime(payment.paid_on), name=payment.recorded_by.name, reference=payment.reference)


def _rated(order: Order) -> Message:
    rating = order.rating
    return _l("The supplier was already rated on %(when)s by %(name)s.", when=LocalTime(rating.rated_at),
              name=rating.rated_by.name)


def _ended(order: Order) -> Message | None:
    when = LocalTime(order.ended_at or order.updated_at)
    if order.status is S.CANCELLED:
        return _l("This order was already cancelled on %(when)s.", when=when)
    if order.status is S.REJECTED:
        return _l("This order was already rejected on %(when)s.", when=when)
    if order.status is S.EXPIRED:
        return _l("This order already expired on %(when)s: its deadline passed.", when=when)
    return None


def _offer_answered(order: Order) -> Message | None:
    last = order.offers[-1] if order.offers else None
    if last is None or last.answer is None or last.answered_at is None:
        return None
    when = LocalTime(last.answered_at)
    if last.answer is OfferAnswer.ACCEPTED:
        return _l("This offer was already accepted on %(when)s.", when=when)
    if last.answer is OfferAnswer.DECLINED:
        return _l("This offer was already declined on %(when)s.", when=when)
    return _l("This offer was already answered with a counter-offer on %(when)s.", when=when)


def already_done(order: Order, action: str) -> Message | None:
    """What to say when `action` comes again after it was taken (a double click, a second
    tab, a back button): the order has ended, or it is at or past the step's result. None
    when the order simply has not got there yet (then the step's `wrong_state` says why)."""
    step = LIFECYCLE[action]
    if action == "ship" and order.status is S.SHIPPED and order.deliveries and not unshipped(order):
        return _all_shipped(order)  # a second click on the last delivery
    if action == "handover" and order.status is S.SHIPPED and order.handovers and not awaiting_inspection(order):
        return _handed_over(order)  # a second click on a partial BAST that left the rest open
    if order.status in step.from_states:
        return None
    ended = _ended(order)
    if ended is not None:
        return ended
    if action in ("accept_offer", "decline_offer") and order.open_offer is None:
        return _offer_answered(order)
    past = step.to_state in PROGRESS and PROGRESS[order.status] >= PROGRESS[step.to_state]
    if step.done is not None and past:
        return step.done(order)
    return None


NEGOTIABLE = (S.SUBMITTED, S.NEGOTIATING)
_NEGOTIATION_OVER = _l("Prices can only be negotiated before the supplier confirms.")

LIFECYCLE: dict[str, Step] = {
    "offer": Step((buyer_side, supplier_side), NEGOTIABLE, S.NEGOTIATING, _l("Send the offer"),
                  _NEGOTIATION_OVER, when=_may_offer, stopped_by_sanction=True),
    "accept_offer": Step((buyer_side, supplier_side), (S.NEGOTIATING,), S.SUBMITTED, _l("Accept the offer"),
                         _l("There is no open offer to answer."), when=_offer_waits_for,
                         stopped_by_sanction=True),
    "decline_offer": Step((buyer_side, supplier_side), (S.NEGOTIATING,), S.SUBMITTED,
                          _l("Decline, keep the earlier prices"), _l("There is no open offer to answer."),
                          when=_offer_waits_for, stopped_by_sanction=True),
    "confirm": Step((supplier_side,), (S.SUBMITTED,), S.CONFIRMED, _l("Confirm the order"), None,
                    when=_nothing_open, stopped_by_sanction=True, done=_confirmed),
    "supplier_reject": Step((supplier_side,), NEGOTIABLE, S.REJECTED, _l("Reject the order"), None),
    "approve": Step((order_ppk,), (S.CONFIRMED,), S.APPROVED, _l("Approve and issue the Surat Pesanan"),
                    _l("The supplier has to confirm the order before it can be approved."),
                    stopped_by_sanction=True, done=_approved),
    "ppk_reject": Step((order_ppk,), OPEN_STATUSES, S.REJECTED, _l("Reject the order"), None),
    "cancel": Step((buyer_side,), OPEN_STATUSES, S.CANCELLED, _l("Cancel the order"), None),
    "ship": Step((supplier_side,), (S.APPROVED, S.SHIPPED), S.SHIPPED, _l("Record the delivery"),
                 _l("Goods are delivered, or work is done, after the PPK approves the order."),
                 when=_ships_left, done=_delivered),
    # A partial BAST that leaves the rest open keeps the order SHIPPED (the service
    # decides); one that receives everything, or cancels the rest, moves it on.
    "handover": Step((order_ppk,), (S.SHIPPED,), S.RECEIVED, _l("Sign the BAST"),
                     _l("The BAST is signed after the goods are delivered or the work is done."),
                     when=_inspection_due, done=_handed_over),
    "cancel_rest": Step((order_ppk,), (S.SHIPPED,), S.RECEIVED, _l("Cancel the undelivered rest"),
                        _l("The rest can be cancelled after a partial BAST."), when=_rest_open,
                        done=_rest_decided),
    "pay": Step((bendahara,), (S.RECEIVED,), S.PAID, _l("Record the payment"),
                _l("Payment is recorded after the BAST is signed."), done=_paid),
    "rate": Step((order_ppk,), (S.PAID,), S.COMPLETED, _l("Send the rating"),
                 _l("The supplier is rated after payment."), done=_rated),
    "reply": Step((supplier_side,), (S.COMPLETED,), None, _l("Publish the reply"),
                  _l("There is no rating to reply to."), when=_rating_unanswered),
    # `flask orders expire`, past the deadline of the stage (the supplier's before confirmation,
    # the PPK's after): nobody's button. The expiry moves only from that stage's states.
    "expire": Step((), OPEN_STATUSES, S.EXPIRED, None, None),
}


def may_attempt(actor: User, order: Order, action: str) -> bool:
    """Is the actor on a side that takes this action (before looking at the state)?"""
    return any(side(actor, order) for side in LIFECYCLE[action].sides)


def available(actor: User, order: Order, action: str) -> bool:
    """The actor's side, the order's state and the action's own condition allow it now
    (the sanction is checked by the caller, which knows the day)."""
    step = LIFECYCLE[action]
    return may_attempt(actor, order, action) and order.status in step.from_states and step.when(actor, order)
