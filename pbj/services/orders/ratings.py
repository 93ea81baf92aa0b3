"""The PPK rates the supplier after payment; the supplier may reply once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.orders import Order, Rating
from pbj.services.errors import DomainError, WrongState
from pbj.services.orders.access import _enter
from pbj.services.orders.transitions import MAX_REASON, _advance, _record


def rate(actor: User, order: Order, stars: int, comment: str, now: datetime) -> Rating:
    _enter(actor, order, "rate", _l("Only the PPK named on this order rates the supplier."))
    if not 1 <= stars <= 5:
        raise DomainError(_l("Choose 1 to 5 stars."), field="stars")
    _advance(order, "rate", now, completed_at=now)
    rating = Rating(order=order, supplier_id=order.supplier_id, stars=stars,
                    comment=(comment or "").strip()[:MAX_REASON], rated_by_id=actor.id, rated_at=now)
    db.session.add(rating)
    db.session.flush()
    _record("order.rated", actor, order, now, stars=stars)
    return rating


def reply_to_rating(actor: User, order: Order, reply: str, now: datetime) -> None:
    _enter(actor, order, "reply", _l("Only the supplier may reply to its rating."))
    rating = order.rating
    if rating.reply is not None:
        raise WrongState(_l("You have already replied to this rating."))
    reply = (reply or "").strip()
    if not 2 <= len(reply) <= MAX_REASON:
        raise DomainError(_l("Write your reply (up to 2000 characters)."), field="reply")
    changed = db.session.execute(
        sa.update(Rating).where(Rating.order_id == order.id, Rating.reply.is_(None))
        .values(reply=reply, replied_by_id=actor.id, replied_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise WrongState(_l("You have already replied to this rating."))
    db.session.refresh(rating)
    _record("order.rating_replied", actor, order, now)


@dataclass
class RatingSummary:
    average: float | None
    count: int
    recent: list[Rating]


def supplier_ratings(supplier_id: int, limit: int = 10) -> RatingSummary:
    """What buyers said about a supplier: the average, the count and the latest ratings."""
    average, count = db.session.execute(
        sa.select(sa.func.avg(Rating.stars), sa.func.count()).where(Rating.supplier_id == supplier_id)).one()
    recent = list(db.session.scalars(sa.select(Rating).where(Rating.supplier_id == supplier_id)
                                     .order_by(Rating.rated_at.desc()).limit(limit)))
    return RatingSummary(float(average) if average is not None else None, count, recent)
