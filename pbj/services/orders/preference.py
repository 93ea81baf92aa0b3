"""Going down a domestic-preference step (Perpres 16/2018 Art. 66(2) as amended by
Perpres 46/2025): the lawful ground, its explanation, what the PPK sees and accepts,
and the auditors' list."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.catalogue import Product
from pbj.models.orders import Order
from pbj.services.catalogue import hidden_supplier_ids
from pbj.services.errors import DomainError
from pbj.services.orders.cart import better_tier_query

# Grounds recorded before the list existed show as this code.
NO_GROUND = "none"
_WORD = re.compile(r"[^\W\d_]{3,}")
_VOWELS = set("aeiouy")


def ground_codes() -> list[str]:
    return list(current_app.config["PREFERENCE_GROUNDS"])


def check_explanation(text: str | None, field_name: str) -> str:
    """At least PREFERENCE_EXPLANATION_MIN_CHARS characters and
    PREFERENCE_EXPLANATION_MIN_WORDS different real words (3 or more letters, with a
    vowel): "xxxxxxxxxxxxxxxxxxxxxxxxx" or "asdf asdf asdf" are refused."""
    cfg = current_app.config
    text = " ".join((text or "").split())
    words = {w.lower() for w in _WORD.findall(text) if _VOWELS & set(w.lower()) and len(set(w.lower())) > 1}
    if len(text) < cfg["PREFERENCE_EXPLANATION_MIN_CHARS"] or len(words) < cfg["PREFERENCE_EXPLANATION_MIN_WORDS"] \
            or len(text) > 2000:
        raise DomainError(_l("Explain in your own words why the higher-tier products do not serve (at least "
                             "%(chars)s characters and %(words)s different words, at most 2000 characters).",
                             chars=cfg["PREFERENCE_EXPLANATION_MIN_CHARS"],
                             words=cfg["PREFERENCE_EXPLANATION_MIN_WORDS"]), field=field_name)
    return text


def check_ground(code: str | None, field_name: str) -> str:
    if code not in current_app.config["PREFERENCE_GROUNDS"]:
        raise DomainError(_l("Choose the lawful ground for choosing a lower domestic-preference tier."),
                          field=field_name)
    return code


def better_products(order: Order, today: date, limit: int = 10) -> list[Product]:
    """Products of a higher legal step listed now in the categories of the order's items
    (what the PPK weighs against the ground)."""
    hidden = hidden_supplier_ids(today)
    found: dict[int, Product] = {}
    for item in order.items:
        query = better_tier_query(item.category_id, item.preference, hidden).order_by(Product.priority, Product.id)
        for product in db.session.scalars(query.limit(limit)):
            found.setdefault(product.id, product)
    return sorted(found.values(), key=lambda p: (p.priority, p.id))[:limit]


def down_tier_query(opd_id: int | None = None, ground: str | None = None):
    """Orders that went down a tier, newest first, for auditors (by OPD and ground)."""
    query = sa.select(Order).where(sa.or_(Order.preference_ground.is_not(None),
                                          Order.preference_explanation.is_not(None)))
    if opd_id is not None:
        query = query.where(Order.opd_id == opd_id)
    if ground == NO_GROUND:
        query = query.where(Order.preference_ground.is_(None))
    elif ground:
        query = query.where(Order.preference_ground == ground)
    return query.options(selectinload(Order.opd), selectinload(Order.supplier), selectinload(Order.items)) \
        .order_by(Order.id.desc())
