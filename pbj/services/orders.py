"""E-purchasing: cart, checkout and the order lifecycle (DESIGN.md, "Order lifecycle").

Every transition checks the actor (role and organisation), then moves the order
with one conditional UPDATE (`WHERE status IN (...)`), so two people clicking at
once cannot both succeed; it writes exactly one audit entry and notifies the
other side. Nothing here commits: the view (or command) commits once per request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import BUYER_ROLES, Role, User
from pbj.models.catalogue import Product, ProductStatus
from pbj.models.orders import (
    OPEN_STATUSES,
    BudgetSource,
    CartItem,
    Delivery,
    DeliveryLine,
    DocumentSequence,
    Handover,
    Offer,
    OfferAnswer,
    OfferLine,
    OfferSide,
    Order,
    OrderDocumentKind,
    OrderItem,
    OrderStatus,
    Payment,
    Rating,
)
from pbj.models.suppliers import Sanction, SupplierProfile, VerificationStatus
from pbj.clock import city_date
from pbj.services import audit, notifications, taxes
from pbj.services.catalogue import hidden_supplier_ids, is_public
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.services.order_lifecycle import (
    LIFECYCLE, available, buyer_side, may_attempt, rounds_left, supplier_side, unshipped,
)
from pbj.services.uploads import store_evidence_photo
from pbj.services.workdays import deadline_after

MAX_QUANTITY = 1_000_000
MAX_REASON = 2000


# -- Who may see and do what ------------------------------------------------------------

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


# -- Sanctions on the supplier ----------------------------------------------------------

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


def _require(condition: bool, message) -> None:
    if not condition:
        raise NotAllowed(message)


# -- The cart ---------------------------------------------------------------------------

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
    # Cart items for which a higher-preference product exists in the same category.
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


def better_tier_exists(product: Product, hidden: list[int]) -> bool:
    """Is a product of a higher domestic-preference tier listed (by a shown supplier) in the same category?"""
    stmt = sa.select(Product.id).where(
        Product.category_id == product.category_id, Product.status == ProductStatus.PUBLISHED,
        Product.preference < product.preference).limit(1)
    if hidden:
        stmt = stmt.where(Product.supplier_id.not_in(hidden))
    return db.session.scalar(stmt) is not None


# -- Checkout ---------------------------------------------------------------------------

@dataclass
class CheckoutData:
    rup_code: str
    budget_year: int
    budget_source: BudgetSource
    delivery_address: str
    needed_by: date
    ppk_id: int
    # Per supplier id: why a lower-preference product was chosen.
    justifications: dict[int, str] = field(default_factory=dict)


def above_pp_limit(actor: User, total: int) -> bool:
    """A PP orders up to `PP_ORDER_LIMIT_RUPIAH`; above it only a PPK may (DESIGN.md)."""
    return total > current_app.config["PP_ORDER_LIMIT_RUPIAH"] and actor.role is not Role.PPK


def ppk_choices(actor: User) -> list[User]:
    """PPKs of the actor's OPD, who can approve its orders."""
    return list(db.session.scalars(
        sa.select(User).where(User.org_id == actor.org_id, User.role == Role.PPK, User.active.is_(True))
        .order_by(User.name)))


def _clean_checkout(actor: User, data: CheckoutData, today: date) -> User:
    rup = (data.rup_code or "").strip()
    if not (rup.isascii() and rup.isdigit()) or not 5 <= len(rup) <= 20:
        raise DomainError(_l("The Kode RUP is the number of the package in SIRUP (5 to 20 digits)."),
                          field="rup_code")
    data.rup_code = rup
    if not today.year - 1 <= data.budget_year <= today.year + 1:
        raise DomainError(_l("Choose this year's, last year's or next year's budget."), field="budget_year")
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
    ppk = _clean_checkout(actor, data, today)
    # Lock the cart's products in id order before taking stock: two checkouts
    # taking the same rows in another order (cart order, supplier groups with
    # the audit lock between them) deadlock on PostgreSQL. SQLite has no row
    # locks (no FOR UPDATE): its write lock already serialises checkouts.
    db.session.execute(sa.select(Product.id).where(
        Product.id.in_(sorted({item.product_id for group in groups for item in group.items})))
        .order_by(Product.id).with_for_update())
    cfg = current_app.config
    orders = []
    for group in groups:
        supplier = group.supplier
        name = supplier.org.name
        if supplier.verification is not VerificationStatus.VERIFIED:
            raise DomainError(_l("%(name)s is not a verified supplier.", name=name))
        if supplier.active_sanction(today) is not Sanction.NONE:
            raise DomainError(_l("%(name)s is suspended or blacklisted and cannot take orders.", name=name))
        if above_pp_limit(actor, group.total):
            raise DomainError(_l("The order from %(name)s is above the PP limit of Rp %(limit)s: only a PPK "
                                 "may place it.", name=name, limit=f"{cfg['PP_ORDER_LIMIT_RUPIAH']:,}"
                                 .replace(",", ".")))
        justification = (data.justifications.get(supplier.org_id) or "").strip()
        if group.needs_justification and len(justification) < 20:
            raise DomainError(_l("Products of a higher domestic-preference tier are listed in the same "
                                 "category as %(names)s: write why you choose these (at least 20 "
                                 "characters).", names=", ".join(i.product.name for i in group.needs_justification)),
                              field=f"justification_{supplier.org_id}")
        min_age = timedelta(hours=cfg["LISTING_MIN_AGE_HOURS"])
        order = Order(
            opd_id=actor.org_id, supplier=supplier, buyer_id=actor.id, ppk_id=ppk.id,
            status=OrderStatus.SUBMITTED, rup_code=data.rup_code, budget_year=data.budget_year,
            budget_source=data.budget_source, delivery_address=data.delivery_address,
            needed_by=data.needed_by, preference_justification=justification or None,
            supplier_is_pkp=supplier.is_pkp, supplier_has_pp55=supplier.has_pp55_certificate,
            supplier_is_umk=supplier.is_umk, supplier_is_local=supplier.is_local(cfg["CITY_REGION_CODE"]),
            submitted_at=now, ppk_deadline=deadline_after(now, cfg["PPK_DEADLINE_WORKING_DAYS"]),
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
                bmp_x100=product.bmp_x100, preference=product.preference))
            db.session.delete(cart_item)
        db.session.add(order)
        db.session.flush()
        _record("order.submitted", actor, order, now, supplier_id=supplier.org_id, total=order.total,
                items=len(order.items), ppk_id=ppk.id, justified=bool(justification))
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


# -- Moving an order --------------------------------------------------------------------

def _move(order: Order, allowed: tuple[OrderStatus, ...], new: OrderStatus, now: datetime, **values) -> None:
    """Change the status only if it is still one of `allowed` (a race loses cleanly)."""
    if order.status not in allowed:
        raise WrongState(_l("This order is no longer in a state that allows this (it is now: %(status)s).",
                            status=order.status.value))
    values = {"status": new, "updated_at": now, **values}
    changed = db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.status.in_(allowed)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(order)
        raise WrongState(_l("Someone else changed this order a moment ago; look at it again."))
    for key, value in values.items():
        set_committed_value(order, key, value)


def _record(event: str, actor: User | None, order: Order, now: datetime, **detail) -> None:
    """The one audit entry of a transition, and the notice to the other side."""
    audit.record(event, actor, order, at=now, **detail)
    notifications.notify(order, now, event, actor)


def _enter(actor: User, order: Order, action: str, not_yours, today: date | None = None) -> None:
    """Check a lifecycle step (`LIFECYCLE[action]`) before anything else: the actor's
    side (NotAllowed with `not_yours`), the order's state and a sanction in force
    (WrongState). The move itself checks the state again, atomically."""
    step = LIFECYCLE[action]
    _require(may_attempt(actor, order, action), not_yours)
    if step.wrong_state is not None and order.status not in step.from_states:
        raise WrongState(step.wrong_state)
    if step.stopped_by_sanction:
        _refuse_if_sanctioned(order, today)


def _advance(order: Order, action: str, now: datetime, **values) -> None:
    """Move the order along the lifecycle row of `action` (a race loses cleanly)."""
    step = LIFECYCLE[action]
    _move(order, step.from_states, step.to_state, now, **values)


def _end(actor: User | None, order: Order, action: str, event: str, end_reason: str | None, now: datetime,
         **detail) -> None:
    """Cancel, reject or expire: the order ends, an open offer closes and the stock comes back."""
    _advance(order, action, now, ended_at=now, end_reason=end_reason)
    _close_open_offer(order, None, now)
    _release(order, now)
    _record(event, actor, order, now, **detail)


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not 5 <= len(text) <= MAX_REASON:
        raise DomainError(_l("Write the reason (5 to 2000 characters)."), field="reason")
    return text


def _deadline(now: datetime) -> datetime:
    return deadline_after(now, current_app.config["PPK_DEADLINE_WORKING_DAYS"])


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
    _advance(order, "confirm", now, confirmed_at=now, ppk_deadline=_deadline(now))
    _record("order.confirmed", actor, order, now, total=order.total)


def ppk_reject(actor: User, order: Order, reason: str, now: datetime) -> None:
    _enter(actor, order, "ppk_reject", _l("Only the PPK named on this order may reject it."))
    reason = _reason(reason)
    _end(actor, order, "ppk_reject", "order.rejected_by_ppk", reason, now, reason=reason)


def next_number(opd_id: int, kind: OrderDocumentKind, year: int) -> int:
    """The next number for this OPD, kind and year, in the caller's transaction.

    One upsert that returns the new value: the row lock (PostgreSQL) or the write
    lock (SQLite) makes concurrent approvals wait for each other, and a rollback
    gives the number back, so numbers are gapless and never repeat.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = DocumentSequence.__table__
    stmt = insert(table).values(opd_id=opd_id, kind=kind.value, year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["opd_id", "kind", "year"],
                                      set_={"last": table.c.last + 1}).returning(table.c.last)
    return db.session.execute(stmt).scalar_one()


DOCUMENT_PREFIX = {OrderDocumentKind.SURAT_PESANAN: "SP", OrderDocumentKind.BAST: "BAST",
                   OrderDocumentKind.INVOICE: "INV"}


def _document_number(order: Order, kind: OrderDocumentKind, today: date) -> str:
    seq = next_number(order.opd_id, kind, today.year)
    code = order.opd.code or str(order.opd_id)
    return f"{DOCUMENT_PREFIX[kind]}/{code}/{today.year}/{seq:04d}"


def _issue(order: Order, kind: OrderDocumentKind, number: str, now: datetime) -> None:
    """Record the document for public verification (pbj.services.documents)."""
    from pbj.services import documents

    documents.issue_document(order, kind, number, issued_at=now)


def approve(actor: User, order: Order, now: datetime, today: date) -> str:
    """The PPK approves: the Surat Pesanan is issued with the next number of the OPD."""
    _enter(actor, order, "approve", _l("Only the PPK named on this order may approve it."), today)
    _advance(order, "approve", now, approved_at=now)
    number = _document_number(order, OrderDocumentKind.SURAT_PESANAN, today)
    order.sp_number = number
    db.session.flush()
    _issue(order, OrderDocumentKind.SURAT_PESANAN, number, now)
    _record("order.approved", actor, order, now, sp_number=number, total=order.total)
    return number


# -- Negotiation ------------------------------------------------------------------------

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
    _advance(order, "offer", now, ppk_deadline=_deadline(now))
    db.session.flush()
    _record("order.offer_made", actor, order, now, round=offer.round, side=side.value,
            total=sum(line.unit_price * line.item.quantity for line in lines))
    return offer


def answer_offer(actor: User, order: Order, accept: bool, now: datetime) -> None:
    """Accept the standing offer (its prices become the agreed prices) or decline it."""
    action = "accept_offer" if accept else "decline_offer"
    offer = order.open_offer
    if offer is None:
        raise WrongState(LIFECYCLE[action].wrong_state)
    other_side = supplier_side(actor, order) if offer.side is OfferSide.BUYER else buyer_side(actor, order)
    _require(other_side, _l("Only the other side can answer this offer."))
    _enter(actor, order, action, _l("Only the other side can answer this offer."), city_date(now))
    _close_open_offer(order, actor, now, OfferAnswer.ACCEPTED if accept else OfferAnswer.DECLINED)
    if accept:
        for line in offer.lines:
            line.item.agreed_price = line.unit_price
    _advance(order, action, now, ppk_deadline=_deadline(now))
    event = "order.offer_accepted" if accept else "order.offer_declined"
    db.session.flush()
    _record(event, actor, order, now, round=offer.round, total=order.total)


# -- Delivery, handover, payment, rating ------------------------------------------------

def ship(actor: User, order: Order, quantities: dict[int, int], note_number: str, shipped_on: date,
         note: str, now: datetime, today: date) -> Delivery:
    _enter(actor, order, "ship", _l("Only the supplier records deliveries."))
    note_number = (note_number or "").strip()
    if not 1 <= len(note_number) <= 60:
        raise DomainError(_l("Enter the delivery note (surat jalan) number."), field="note_number")
    if shipped_on > today or shipped_on < (order.approved_at or now).date() - timedelta(days=1):
        raise DomainError(_l("The shipping date must be between the approval and today."), field="shipped_on")
    lines = []
    for item in order.items:
        qty = quantities.get(item.id, 0)
        if qty < 0 or qty > item.quantity - item.shipped_qty:
            raise DomainError(_l("%(name)s: ship between 0 and %(n)s.", name=item.name,
                                 n=item.quantity - item.shipped_qty), field=f"qty_{item.id}")
        if qty:
            lines.append(DeliveryLine(item=item, quantity=qty))
            item.shipped_qty += qty
    if not lines:
        raise DomainError(_l("Enter the quantity shipped of at least one item."))
    delivery = Delivery(order=order, note_number=note_number, shipped_on=shipped_on,
                        note=(note or "").strip()[:MAX_REASON], recorded_by_id=actor.id, recorded_at=now,
                        lines=lines)
    db.session.add(delivery)
    _advance(order, "ship", now, shipped_at=order.shipped_at or now)
    db.session.flush()
    _record("order.shipped", actor, order, now, delivery_id=delivery.id, note_number=note_number,
            quantities={str(line.item.id): line.quantity for line in lines},
            complete=not unshipped(order))
    return delivery


def sign_handover(actor: User, order: Order, received: dict[int, int], notes: str, signed_on: date,
                  photo: bytes | None, now: datetime, today: date) -> Handover:
    """The PPK inspects and signs the BAST (with an optional photo of the goods); the BAST
    and the invoice are issued."""
    _enter(actor, order, "handover", _l("Only the PPK named on this order signs the BAST."))
    if signed_on > today or (order.shipped_at and signed_on < order.shipped_at.date() - timedelta(days=1)):
        raise DomainError(_l("The BAST date must be between the delivery and today."), field="signed_on")
    for item in order.items:
        qty = received.get(item.id, 0)
        if not 0 <= qty <= item.shipped_qty:
            raise DomainError(_l("%(name)s: received between 0 and %(n)s.", name=item.name, n=item.shipped_qty),
                              field=f"qty_{item.id}")
        item.received_qty = qty
    if not any(item.received_qty for item in order.items):
        raise DomainError(_l("Nothing was received in good order: do not sign the BAST; agree a new delivery "
                               "with the supplier first."))
    # Stored only once everything else is known to be right, so a refused BAST leaves no file.
    photo_name = store_evidence_photo(photo, current_app.config["IMAGE_MAX_BYTES"]) if photo else None
    _advance(order, "handover", now, received_at=now)
    handover = Handover(order=order, number=_document_number(order, OrderDocumentKind.BAST, today),
                        signed_by_id=actor.id, signed_on=signed_on, notes=(notes or "").strip()[:MAX_REASON],
                        photo_name=photo_name, recorded_at=now)
    db.session.add(handover)
    db.session.flush()
    _issue(order, OrderDocumentKind.BAST, handover.number, now)
    _issue(order, OrderDocumentKind.INVOICE, _document_number(order, OrderDocumentKind.INVOICE, today), now)
    _record("order.received", actor, order, now, bast_number=handover.number, value=order.received_total,
            received={str(i.id): i.received_qty for i in order.items}, photo=photo_name is not None)
    return handover


def tax_breakdown(order: Order) -> taxes.TaxBreakdown:
    """Taxes on what is (or will be) paid: the received value once the BAST is signed."""
    gross = order.received_total if order.goods_received else order.total
    return taxes.breakdown(gross, is_pkp=order.supplier_is_pkp, has_pp55=order.supplier_has_pp55)


def record_payment(actor: User, order: Order, paid_on: date, reference: str, amount: int,
                   now: datetime, today: date) -> Payment:
    _enter(actor, order, "pay", _l("Only the bendahara of the ordering OPD records payments."))
    reference = (reference or "").strip()
    if not 3 <= len(reference) <= 80:
        raise DomainError(_l("Enter the payment reference (SP2D or transfer number)."), field="reference")
    if paid_on > today or paid_on < order.received_at.date() - timedelta(days=1):
        raise DomainError(_l("The payment date must be between the BAST and today."), field="paid_on")
    tax = tax_breakdown(order)
    if amount != tax.net:
        raise DomainError(_l("The amount paid to the supplier must be the net amount, Rp %(net)s.",
                             net=f"{tax.net:,}".replace(",", ".")), field="amount")
    _advance(order, "pay", now, paid_at=now)
    payment = Payment(order=order, paid_on=paid_on, reference=reference, gross=tax.gross, dpp=tax.dpp,
                      ppn=tax.ppn, pph=tax.pph, net=tax.net, recorded_by_id=actor.id, recorded_at=now)
    db.session.add(payment)
    db.session.flush()
    _record("order.paid", actor, order, now, reference=reference, gross=tax.gross, dpp=tax.dpp, ppn=tax.ppn,
            pph=tax.pph, net=tax.net, paid_on=paid_on.isoformat())
    return payment


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


# -- Expiry (cron) ----------------------------------------------------------------------

def expire_overdue(now: datetime) -> list[int]:
    """Expire open orders whose deadline has passed and release their stock."""
    overdue = list(db.session.scalars(
        sa.select(Order).where(Order.status.in_(OPEN_STATUSES), Order.ppk_deadline < now).order_by(Order.id)))
    # Every product row first, in id order, before the first audit entry takes the audit
    # lock: the same order as checkout, so the two cannot deadlock on PostgreSQL.
    product_ids = sorted({item.product_id for order in overdue for item in order.items if item.reserved})
    if product_ids:
        db.session.execute(sa.select(Product.id).where(Product.id.in_(product_ids))
                           .order_by(Product.id).with_for_update())
    expired = []
    for order in overdue:
        try:
            # No reason text: the status itself says why (and is translated where shown).
            _end(None, order, "expire", "order.expired", None, now,
                 deadline=order.ppk_deadline.isoformat(), actor_label="system")
        except WrongState:
            continue  # acted on a moment ago
        expired.append(order.id)
    return expired
