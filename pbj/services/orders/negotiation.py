"""Negotiation: per-item price offers before the supplier confirms, up to
`NEGOTIATION_MAX_ROUNDS`; every offer is kept."""
from __future__ import annotations

from datetime import datetime

from pbj.clock import city_date
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.orders import Offer, OfferAnswer, OfferLine, OfferSide, Order
from pbj.services import packages
from pbj.services.errors import DomainError, WrongState
from pbj.services.order_lifecycle import LIFECYCLE, already_done, buyer_side, rounds_left, supplier_side
from pbj.services.orders.access import _enter, _require
from pbj.services.orders.transitions import MAX_REASON, _advance, _record, _supplier_deadline


def _close_open_offer(order: Order, actor: User | None, now: datetime,
                      answer: OfferAnswer = OfferAnswer.DECLINED) -> Offer | None:
    offer = order.open_offer
    if offer is not None:
        offer.answer, offer.answered_at = answer, now
        offer.answered_by_id = actor.id if actor else None
    return offer


def make_offer(actor: User, order: Order, prices: dict[int, int], note: str, now: datetime) -> Offer:
    """Propose per-item prices (never above the list price); answers an open offer as a counter."""
    _enter(actor, order, "offer", _l("Only the ordering OPD and the supplier negotiate."), city_date(now))
    side = OfferSide.BUYER if buyer_side(actor, order) else OfferSide.SUPPLIER
    standing = order.open_offer
    if standing is not None and standing.side is side:
        raise WrongState(_l("Your offer is waiting for the other side's answer."))
    if standing is None and side is OfferSide.SUPPLIER:
        raise WrongState(_l("The buyer opens a negotiation; you can confirm or reject the order."))
    if not rounds_left(order):
        raise WrongState(_l("The last negotiation round has been used: accept or decline the standing offer."))
    lines = []
    for item in order.items:
        price = prices.get(item.id)
        if price is None:
            raise DomainError(_l("Enter a price for every item."), field=f"price_{item.id}")
        if not 1 <= price <= item.list_price:
            raise DomainError(_l("The price of %(name)s must be between Rp 1 and its list price.",
                                 name=item.name), field=f"price_{item.id}")
        lines.append(OfferLine(item=item, unit_price=price))
    if standing is not None:
        _close_open_offer(order, actor, now, OfferAnswer.COUNTERED)
    offer = Offer(order=order, round=len(order.offers) + 1, side=side, made_by_id=actor.id,
                  note=(note or "").strip()[:MAX_REASON], made_at=now, lines=lines)
    db.session.add(offer)
    _advance(order, "offer", now, supplier_deadline=_supplier_deadline(now))
    db.session.flush()
    _record("order.offer_made", actor, order, now, round=offer.round, side=side.value,
            total=sum(line.unit_price * line.item.quantity for line in lines))
    return offer


def answer_offer(actor: User, order: Order, accept: bool, now: datetime) -> None:
    """Accept the standing offer (its prices become the agreed prices) or decline it."""
    action = "accept_offer" if accept else "decline_offer"
    offer = order.open_offer
    if offer is None:
        raise WrongState(already_done(order, action) or LIFECYCLE[action].wrong_state)
    other_side = supplier_side(actor, order) if offer.side is OfferSide.BUYER else buyer_side(actor, order)
    _require(other_side, _l("Only the other side can answer this offer."))
    _enter(actor, order, action, _l("Only the other side can answer this offer."), city_date(now))
    if accept and order.package is not None:
        # A later offer may be above prices an earlier one lowered: the order's value then
        # rises, and the package must still have room for it (pagu; PP limit if a PP ordered).
        rise = sum((line.unit_price - line.item.agreed_price) * line.item.quantity for line in offer.lines)
        if rise > 0:
            packages.lock(order.package)
            packages.check_room(order.package, order.buyer, order.total + rise, excluding=order.id,
                                field_name=None)
    _close_open_offer(order, actor, now, OfferAnswer.ACCEPTED if accept else OfferAnswer.DECLINED)
    if accept:
        for line in offer.lines:
            line.item.agreed_price = line.unit_price
    _advance(order, action, now, supplier_deadline=_supplier_deadline(now))
    event = "order.offer_accepted" if accept else "order.offer_declined"
    db.session.flush()
    _record(event, actor, order, now, round=offer.round, total=order.total)
