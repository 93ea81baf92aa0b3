"""Checkout: the cart becomes one submitted order per supplier, all or nothing, and
stock is reserved with a conditional UPDATE; cancel, rejection and expiry release it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Role, User
from pbj.models.catalogue import Product
from pbj.models.orders import Order, OrderItem, OrderStatus, PaymentMethod
from pbj.models.packages import RupPackage
from pbj.models.suppliers import Sanction, VerificationStatus
from pbj.services import packages
from pbj.services.catalogue import is_public
from pbj.services.errors import DomainError
from pbj.services.orders.cart import _check_quantity, _require_buyer, cart_groups
from pbj.services.orders.preference import check_explanation, check_ground
from pbj.services.orders.transitions import _record
from pbj.services.workdays import deadline_after


@dataclass
class CheckoutData:
    package_id: int | None  # a package of the buyer's OPD register (Kode RUP, year, source)
    delivery_address: str
    needed_by: date
    ppk_id: int
    # Per supplier id, for an order with a product below a higher legal step listed in
    # its category: the lawful ground (a PREFERENCE_GROUNDS code) and the explanation.
    grounds: dict[int, str] = field(default_factory=dict)
    explanations: dict[int, str] = field(default_factory=dict)
    # How the treasurer will pay (printed on the SP); the PPK may change it when approving.
    payment_method: PaymentMethod = PaymentMethod.LS


def above_pp_limit(actor: User, total: int) -> bool:
    """A PP orders up to `PP_ORDER_LIMIT_RUPIAH`; above it only a PPK may (DESIGN.md)."""
    return total > current_app.config["PP_ORDER_LIMIT_RUPIAH"] and actor.role is not Role.PPK


def ppk_choices(actor: User) -> list[User]:
    """PPKs of the actor's OPD, who can approve its orders."""
    return list(db.session.scalars(
        sa.select(User).where(User.org_id == actor.org_id, User.role == Role.PPK, User.active.is_(True))
        .order_by(User.name)))


def _package(actor: User, data: CheckoutData, today: date) -> RupPackage:
    package = db.session.get(RupPackage, data.package_id) if data.package_id else None
    if package is None or package.opd_id != actor.org_id:
        raise DomainError(_l("Choose a package (Kode RUP) from your OPD's RUP register."), field="package_id")
    why_not = packages.orderable(package, actor.org, today)
    if why_not is not None:
        raise DomainError(why_not, field="package_id")
    return package


def _clean_checkout(actor: User, data: CheckoutData, today: date) -> User:
    data.delivery_address = (data.delivery_address or "").strip()
    if not 5 <= len(data.delivery_address) <= 300:
        raise DomainError(_l("Enter the delivery address (5 to 300 characters)."), field="delivery_address")
    if data.needed_by < today:
        raise DomainError(_l("The needed-by date cannot be in the past."), field="needed_by")
    if data.needed_by > today + timedelta(days=366):
        raise DomainError(_l("The needed-by date must be within a year."), field="needed_by")
    ppk = db.session.get(User, data.ppk_id) if data.ppk_id else None
    if ppk is None or ppk.role is not Role.PPK or ppk.org_id != actor.org_id or not ppk.is_active:
        raise DomainError(_l("Choose a PPK of your OPD to approve the order."), field="ppk_id")
    if not isinstance(data.payment_method, PaymentMethod):
        raise DomainError(_l("Choose the payment method: UP/GU, LS or KKPD."), field="payment_method")
    return ppk


def checkout(actor: User, data: CheckoutData, now: datetime, today: date) -> list[Order]:
    """Turn the actor's cart into one submitted order per supplier.

    All or nothing: if any order breaks a rule or any stock is gone, nothing is
    ordered and the cart stays as it was (the caller rolls back).
    """
    _require_buyer(actor)
    groups = cart_groups(actor, today)
    if not groups:
        raise DomainError(_l("Your cart is empty."))
    package = _package(actor, data, today)
    ppk = _clean_checkout(actor, data, today)
    # Lock the cart's products in id order before taking stock: two checkouts
    # taking the same rows in another order (cart order, supplier groups with
    # the audit lock between them) deadlock on PostgreSQL. SQLite has no row
    # locks (no FOR UPDATE): its write lock already serialises checkouts.
    db.session.execute(sa.select(Product.id).where(
        Product.id.in_(sorted({item.product_id for group in groups for item in group.items})))
        .order_by(Product.id).with_for_update())
    # Then the package: its live orders are summed under its lock, so two checkouts under
    # one package cannot both pass the pagu or the PP limit (DESIGN.md; Perpres 16/2018
    # Art. 20(2)). Every supplier order of this checkout counts together.
    packages.lock(package)
    packages.check_room(package, actor, sum(group.total for group in groups))
    cfg = current_app.config
    orders = []
    for group in groups:
        supplier = group.supplier
        name = supplier.org.name
        if supplier.verification is not VerificationStatus.VERIFIED:
            raise DomainError(_l("%(name)s is not a verified supplier.", name=name))
        if supplier.active_sanction(today) is not Sanction.NONE:
            raise DomainError(_l("%(name)s is suspended or blacklisted and cannot take orders.", name=name))
        ground = explanation = None
        if group.needs_justification:
            ground = data.grounds.get(supplier.org_id)
            if ground not in cfg["PREFERENCE_GROUNDS"]:
                raise DomainError(_l("Products of a higher domestic-preference tier are listed in the same "
                                     "category as %(names)s: choose the lawful ground for buying these instead.",
                                     names=", ".join(i.product.name for i in group.needs_justification)),
                                  field=f"ground_{supplier.org_id}")
            ground = check_ground(ground, f"ground_{supplier.org_id}")
            explanation = check_explanation(data.explanations.get(supplier.org_id),
                                            f"explanation_{supplier.org_id}")
        min_age = timedelta(hours=cfg["LISTING_MIN_AGE_HOURS"])
        order = Order(
            opd_id=actor.org_id, supplier=supplier, buyer_id=actor.id, ppk_id=ppk.id,
            status=OrderStatus.SUBMITTED, package_id=package.id, rup_code=package.rup_code,
            budget_year=package.budget_year, budget_source=package.funding_source,
            delivery_address=data.delivery_address, needed_by=data.needed_by,
            payment_method=data.payment_method,
            preference_ground=ground, preference_explanation=explanation,
            supplier_is_pkp=supplier.is_pkp, supplier_has_pp55=supplier.has_pp55_certificate,
            supplier_is_umk=supplier.is_umk, supplier_is_local=supplier.is_local(cfg["CITY_REGION_CODE"]),
            submitted_at=now, supplier_deadline=deadline_after(now, cfg["SUPPLIER_DEADLINE_WORKING_DAYS"]),
        )
        for cart_item in group.items:
            product = cart_item.product
            if not is_public(product, today):
                raise DomainError(_l("%(name)s can no longer be ordered.", name=product.name))
            if product.published_at is None or product.published_at + min_age > now:
                raise DomainError(_l("%(name)s was listed less than %(hours)s hours ago and cannot be ordered "
                                     "yet.", name=product.name, hours=cfg["LISTING_MIN_AGE_HOURS"]))
            _check_quantity(product, cart_item.quantity)
            reserved = _reserve(product, cart_item.quantity, now)
            order.items.append(OrderItem(
                product_id=product.id, name=product.name, unit=product.unit, category_id=product.category_id,
                list_price=product.unit_price, agreed_price=product.unit_price, quantity=cart_item.quantity,
                reserved=reserved, is_pdn=product.is_pdn, tkdn_x100=product.tkdn_x100,
                bmp_x100=product.bmp_x100, preference=product.preference, tax_class=product.tax_class))
            db.session.delete(cart_item)
        db.session.add(order)
        db.session.flush()
        _record("order.submitted", actor, order, now, supplier_id=supplier.org_id, total=order.total,
                items=len(order.items), ppk_id=ppk.id, rup_code=package.rup_code,
                preference_ground=ground)
        orders.append(order)
    return orders


def _reserve(product: Product, quantity: int, now: datetime) -> bool:
    """Take stock with one conditional UPDATE; False for made-to-order products."""
    if product.stock is None:
        return False
    taken = db.session.execute(
        sa.update(Product)
        .where(Product.id == product.id, Product.stock.is_not(None), Product.stock >= quantity)
        .values(stock=Product.stock - quantity, updated_at=now)  # updated_at: facet cache version
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        left = db.session.scalar(sa.select(Product.stock).where(Product.id == product.id))
        raise DomainError(_l("Only %(n)s %(unit)s of %(name)s are left: change the quantity.",
                             n=left or 0, unit=product.unit, name=product.name))
    db.session.refresh(product, ["stock", "updated_at"])
    return True


def _release(order: Order, now: datetime) -> None:
    # In product id order, as checkout locks them: no deadlock on PostgreSQL.
    for item in sorted(order.items, key=lambda i: i.product_id):
        if item.reserved:
            db.session.execute(
                sa.update(Product).where(Product.id == item.product_id, Product.stock.is_not(None))
                .values(stock=Product.stock + item.quantity, updated_at=now)
                .execution_options(synchronize_session=False))
            item.reserved = False
