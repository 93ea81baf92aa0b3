"""The cart: per buyer (PP or PPK), grouped by supplier into the orders checkout makes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import BUYER_ROLES, User
from pbj.models.catalogue import LEGAL_TIER, Product, ProductStatus, legal_tier
from pbj.models.orders import CartItem
from pbj.models.suppliers import SupplierProfile
from pbj.services.catalogue import hidden_supplier_ids, is_public
from pbj.services.errors import DomainError
from pbj.services.orders.access import _require

MAX_QUANTITY = 1_000_000


def _require_buyer(actor: User) -> None:
    _require(actor.role in BUYER_ROLES, _l("Only procurement officers (PP) and PPK order from the catalogue."))


def _check_quantity(product: Product, quantity: int, field_name: str = "quantity") -> None:
    if quantity < product.min_order:
        raise DomainError(_l("The minimum order for %(name)s is %(n)s %(unit)s.", name=product.name,
                             n=product.min_order, unit=product.unit), field=field_name)
    if quantity > MAX_QUANTITY:
        raise DomainError(_l("That quantity is too large."), field=field_name)
    if product.stock is not None and quantity > product.stock:
        raise DomainError(_l("Only %(n)s %(unit)s of %(name)s are in stock.", n=product.stock,
                             unit=product.unit, name=product.name), field=field_name)


def add_to_cart(actor: User, product: Product, quantity: int, today: date) -> CartItem:
    """Add a product (or more of it) to the actor's cart."""
    _require_buyer(actor)
    if not is_public(product, today):
        raise DomainError(_l("This product cannot be ordered at the moment."))
    item = db.session.scalar(sa.select(CartItem).where(CartItem.user_id == actor.id,
                                                       CartItem.product_id == product.id))
    total = quantity + (item.quantity if item else 0)
    _check_quantity(product, total)
    if item is None:
        item = CartItem(user_id=actor.id, product=product, quantity=total)
        db.session.add(item)
    else:
        item.quantity = total
    db.session.flush()
    return item


def set_cart_quantity(actor: User, item: CartItem, quantity: int) -> None:
    _require(item.user_id == actor.id, _l("This is not your cart."))
    _check_quantity(item.product, quantity)
    item.quantity = quantity


def remove_from_cart(actor: User, item: CartItem) -> None:
    _require(item.user_id == actor.id, _l("This is not your cart."))
    db.session.delete(item)


def cart_items(actor: User) -> list[CartItem]:
    return list(db.session.scalars(
        sa.select(CartItem).where(CartItem.user_id == actor.id)
        .options(selectinload(CartItem.product).selectinload(Product.supplier).selectinload(SupplierProfile.org))
        .order_by(CartItem.id)))


@dataclass
class CartGroup:
    """The part of a cart that becomes one order: one supplier's products."""

    supplier: SupplierProfile
    items: list[CartItem]
    # Cart items for which a product of a higher legal step exists in the same category:
    # the order needs a lawful ground (services.orders.preference).
    needs_justification: list[CartItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(i.product.unit_price * i.quantity for i in self.items)


def cart_groups(actor: User, today: date) -> list[CartGroup]:
    groups: dict[int, CartGroup] = {}
    hidden = hidden_supplier_ids(today)
    for item in cart_items(actor):
        group = groups.setdefault(item.product.supplier_id, CartGroup(item.product.supplier, []))
        group.items.append(item)
        if better_tier_exists(item.product, hidden):
            group.needs_justification.append(item)
    return list(groups.values())


def first_rank_of_step(preference: int) -> int:
    """The best (lowest) preference rank of the legal step `preference` is on."""
    step = legal_tier(preference)
    return min(rank for rank, tier in LEGAL_TIER.items() if tier is step)


def better_tier_query(category_id: int, preference: int, hidden: list[int]):
    """Published products of a shown supplier, in the category, on a higher legal step of
    Art. 66(2) than `preference` (ranks of the same step, such as TKDN >= 25 % beside
    TKDN + BMP >= 40 %, do not count)."""
    stmt = sa.select(Product).where(
        Product.category_id == category_id, Product.status == ProductStatus.PUBLISHED,
        Product.preference < first_rank_of_step(preference))
    if hidden:
        stmt = stmt.where(Product.supplier_id.not_in(hidden))
    return stmt


def better_tier_exists(product: Product, hidden: list[int]) -> bool:
    """Is a product of a higher legal domestic-preference step listed (by a shown supplier)
    in the same category?"""
    stmt = better_tier_query(product.category_id, product.preference, hidden).with_only_columns(Product.id)
    return db.session.scalar(stmt.limit(1)) is not None
