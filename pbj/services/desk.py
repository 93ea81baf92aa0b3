"""The desk (/meja): what waits for the signed-in user, per role, oldest first.

Each role gets a fixed list of sections; a section is a count and the first
`LIST_SIZE` items, read with one count query and one list query whose rows come
with what the page shows (no query per row). Which orders wait for whom is read
from the lifecycle table (`LIFECYCLE[action].from_states`), so the desk follows
the same states as the order page's buttons:

- PP: the cart, price offers from the supplier to answer, orders waiting for the
  supplier, deliveries to receive (orders the user placed);
- PPK: orders to approve, BASTs to sign, suppliers to rate (orders naming the user
  as PPK); the PP's sections too when the PPK ordered something themselves;
- bendahara: BASTs to pay and overdue payments (the OPD's orders): overdue once
  `PAYMENT_DUE_WORKING_DAYS` working days passed since the BAST;
- supplier: new orders to answer, negotiations, deliveries due, payments received in
  the last `RECENT_DAYS` days, products and changes in review or not approved;
- admin: suppliers to verify, new products and changes to review;
- auditor: the latest entries of the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from pbj.clock import city_zone
from pbj.extensions import db
from pbj.models.accounts import Organisation, Role, User
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product, ProductRevision, ProductStatus, RevisionStatus
from pbj.models.orders import CartItem, Offer, OfferSide, Order, OrderItem, OrderStatus
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from pbj.services import revisions, workdays
from pbj.services.order_lifecycle import LIFECYCLE, available

LIST_SIZE = 10  # items shown per section; "see all" leads to the full list
RECENT_DAYS = 30  # how far back "payments received" and "not approved" look

S = OrderStatus


@dataclass
class Section:
    """One heading of the desk: `count` things wait, the first `items` of them shown.

    `kind` says what the items are and which dates a row shows: "cart" (cart items),
    "deadline" (orders with the deadline of their stage), "delivery" (orders with the
    delivery date on the SP), "shipped", "received" (with `due`), "paid", "rate",
    "review" (`revisions.QueueItem`), "supplier" (supplier profiles), "audit" (entries).
    """

    key: str
    kind: str
    count: int
    items: list
    due: dict[int, datetime] = field(default_factory=dict)  # order id → payment due (end of that day)

    @property
    def more(self) -> bool:
        return self.count > len(self.items)


def sections_for(user: User, now: datetime, today: date) -> list[Section]:
    """The desk of `user` at `now` (naive UTC); `today` is the city's date."""
    build = {
        Role.PP: _pp_desk,
        Role.PPK: _ppk_desk,
        Role.BENDAHARA: _bendahara_desk,
        Role.PENYEDIA: _supplier_desk,
        Role.ADMIN: _admin_desk,
        Role.AUDITOR: _auditor_desk,
    }[user.role]
    return build(user, now, today)


# -- Orders ---------------------------------------------------------------------------

# What an order row shows: its items (total), the OPD, the supplier, the open offer.
_ORDER_ROW = (selectinload(Order.items), joinedload(Order.opd), joinedload(Order.supplier),
              selectinload(Order.offers))


def _orders_section(key: str, kind: str, where: tuple, order_by: tuple, *loads) -> Section:
    count = db.session.scalar(sa.select(sa.func.count(Order.id)).where(*where)) or 0
    items = list(db.session.scalars(
        sa.select(Order).where(*where).order_by(*order_by, Order.id).limit(LIST_SIZE)
        .options(*_ORDER_ROW, *loads)))
    return Section(key, kind, count, items)


def _open_offer_from(side: OfferSide):
    return sa.exists().where(Offer.order_id == Order.id, Offer.answer.is_(None), Offer.side == side)


def _in(action: str):
    return Order.status.in_(LIFECYCLE[action].from_states)


# -- PP (and a PPK who orders) -----------------------------------------------------------

def _cart(user: User) -> Section:
    where = (CartItem.user_id == user.id,)
    count = db.session.scalar(sa.select(sa.func.count(CartItem.id)).where(*where)) or 0
    items = list(db.session.scalars(
        sa.select(CartItem).where(*where).order_by(CartItem.added_at, CartItem.id).limit(LIST_SIZE)
        .options(joinedload(CartItem.product).joinedload(Product.supplier))))
    return Section("cart", "cart", count, items)


def _buyer_sections(user: User) -> list[Section]:
    """The orders the user placed: offers to answer, waiting for the supplier, deliveries."""
    mine = (Order.opd_id == user.org_id, Order.buyer_id == user.id)
    supplier_offer = _open_offer_from(OfferSide.SUPPLIER)
    return [
        _cart(user),
        _orders_section("offers_to_answer", "deadline", (*mine, Order.status == S.NEGOTIATING, supplier_offer),
                        (Order.supplier_deadline,)),
        # Before confirmation, unless the supplier's own offer waits for the buyer.
        _orders_section("waiting_for_supplier", "deadline",
                        (*mine, Order.status.in_((S.SUBMITTED, S.NEGOTIATING)), ~supplier_offer),
                        (Order.supplier_deadline,)),
        _orders_section("deliveries_to_receive", "delivery", (*mine, _in("ship")), (Order.needed_by,)),
    ]


def _pp_desk(user: User, now: datetime, today: date) -> list[Section]:
    return _buyer_sections(user)


# -- PPK -------------------------------------------------------------------------------

def _handovers_to_sign(user: User) -> Section:
    """Orders whose BAST the user may sign now, as the order page decides (`available`).
    A PPK has few orders delivered and not yet received, so they are read whole."""
    candidates = db.session.scalars(
        sa.select(Order).where(Order.ppk_id == user.id, _in("handover"))
        .order_by(Order.shipped_at, Order.id).options(*_ORDER_ROW, selectinload(Order.deliveries)))
    waiting = [order for order in candidates if available(user, order, "handover")]
    return Section("handovers_to_sign", "shipped", len(waiting), waiting[:LIST_SIZE])


def _ppk_desk(user: User, now: datetime, today: date) -> list[Section]:
    own = (Order.ppk_id == user.id,)
    sections = [
        _orders_section("orders_to_approve", "deadline", (*own, _in("approve")), (Order.ppk_deadline,)),
        _handovers_to_sign(user),
        _orders_section("suppliers_to_rate", "rate", (*own, _in("rate")), (Order.paid_at,)),
    ]
    # A PPK may order too; those sections only when something is there.
    return sections + [section for section in _buyer_sections(user) if section.count]


# -- Bendahara -------------------------------------------------------------------------

def payment_due(received_at: datetime, config=None) -> datetime:
    """The end of the day by which a payment should be made (naive UTC, a local midnight):
    `PAYMENT_DUE_WORKING_DAYS` working days after the BAST."""
    config = config if config is not None else current_app.config
    return workdays.deadline_after(received_at, config["PAYMENT_DUE_WORKING_DAYS"], config)


def overdue_cutoff(today: date, config=None) -> datetime:
    """Orders received before this moment (naive UTC) are overdue on `today`.

    Overdue means the due day has ended: the BAST's local day D plus the working days
    is before today. The latest such D is found by stepping back from yesterday (a few
    weeks at most); every moment before the next local midnight is overdue.
    """
    config = config if config is not None else current_app.config
    days, off = config["PAYMENT_DUE_WORKING_DAYS"], workdays.holidays()
    day = today - timedelta(days=1)
    while workdays.add_working_days(day, days, off) >= today:
        day -= timedelta(days=1)
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=city_zone(config))
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def _bendahara_desk(user: User, now: datetime, today: date) -> list[Section]:
    payable = (Order.opd_id == user.org_id, _in("pay"))
    oldest = (Order.received_at,)
    sections = [
        _orders_section("payments_to_make", "received", payable, oldest),
        _orders_section("payments_overdue", "received", (*payable, Order.received_at < overdue_cutoff(today)),
                        oldest),
    ]
    for section in sections:
        section.due = {o.id: payment_due(o.received_at) for o in section.items if o.received_at is not None}
    return sections


# -- Supplier --------------------------------------------------------------------------

def _unshipped():
    # Still to deliver: ordered, less a cancelled rest, more than shipped (refused goods count again).
    return sa.exists().where(OrderItem.order_id == Order.id,
                             OrderItem.shipped_qty < OrderItem.quantity - OrderItem.cancelled_qty)


def _review_items(key: str, products: tuple, revisions_where: tuple, newest_first: bool) -> Section:
    """New products and changes to published ones, merged by when they were sent or decided."""
    product_since = Product.updated_at
    revision_since = ProductRevision.decided_at if newest_first else ProductRevision.submitted_at
    direction = sa.desc if newest_first else sa.asc
    count = (db.session.scalar(sa.select(sa.func.count(Product.id)).where(*products)) or 0) + (
        db.session.scalar(sa.select(sa.func.count(ProductRevision.id)).join(ProductRevision.product)
                          .where(*revisions_where)) or 0)
    new = [revisions.QueueItem(revisions.KIND_NEW, p, None, p.updated_at) for p in db.session.scalars(
        sa.select(Product).where(*products).order_by(direction(product_since), Product.id).limit(LIST_SIZE))]
    changed = [revisions.QueueItem(revisions.KIND_REVISION, r.product, r,
                                   r.decided_at if newest_first else r.submitted_at)
               for r in db.session.scalars(
                   sa.select(ProductRevision).join(ProductRevision.product).where(*revisions_where)
                   .order_by(direction(revision_since), ProductRevision.id).limit(LIST_SIZE)
                   .options(joinedload(ProductRevision.product)))]
    items = sorted(new + changed, key=lambda item: item.since, reverse=newest_first)[:LIST_SIZE]
    return Section(key, "review", count, items)


def _supplier_desk(user: User, now: datetime, today: date) -> list[Section]:
    own = (Order.supplier_id == user.org_id,)
    products = (Product.supplier_id == user.org_id,)
    since = now - timedelta(days=RECENT_DAYS)
    # A rejected change counts until the supplier sends a newer one.
    newer = ProductRevision.__table__.alias("newer")
    latest = ~sa.exists().where(newer.c.product_id == ProductRevision.product_id, newer.c.id > ProductRevision.id)
    return [
        _orders_section("orders_to_answer", "deadline", (*own, Order.status == S.SUBMITTED),
                        (Order.supplier_deadline,)),
        _orders_section("negotiations", "deadline", (*own, Order.status == S.NEGOTIATING),
                        (Order.supplier_deadline,)),
        _orders_section("deliveries_due", "delivery", (*own, _in("ship"), _unshipped()), (Order.needed_by,)),
        _orders_section("payments_received", "paid",
                        (*own, Order.status.in_((S.PAID, S.COMPLETED)), Order.paid_at >= since),
                        (Order.paid_at.desc(),), selectinload(Order.payment)),
        _review_items("products_in_review", (*products, Product.status == ProductStatus.SUBMITTED),
                      (*products, ProductRevision.status == RevisionStatus.PENDING), newest_first=False),
        _review_items("products_not_approved", (*products, Product.status == ProductStatus.REJECTED),
                      (*products, ProductRevision.status == RevisionStatus.REJECTED,
                       ProductRevision.decided_at >= since, latest), newest_first=True),
    ]


# -- Admin (UKPBJ) ---------------------------------------------------------------------

def _admin_desk(user: User, now: datetime, today: date) -> list[Section]:
    unverified = (SupplierProfile.verification == VerificationStatus.UNVERIFIED,)
    count = db.session.scalar(sa.select(sa.func.count(SupplierProfile.org_id)).where(*unverified)) or 0
    suppliers = list(db.session.scalars(
        sa.select(SupplierProfile).join(SupplierProfile.org).where(*unverified)
        .order_by(Organisation.created_at, Organisation.id).limit(LIST_SIZE)
        .options(selectinload(SupplierProfile.documents))))
    sections = [Section("suppliers_to_verify", "supplier", count, suppliers)]
    for key, kind in (("products_to_review", revisions.KIND_NEW), ("changes_to_review", revisions.KIND_REVISION)):
        queue = revisions.review_queue(revisions.QueueFilter(kind=kind), 1, LIST_SIZE)
        sections.append(Section(key, "review", queue.counts[kind], queue.items))
    return sections


# -- Auditor ---------------------------------------------------------------------------

def _auditor_desk(user: User, now: datetime, today: date) -> list[Section]:
    # Entry ids run gapless from 1 (the chain's order), so the highest is the count.
    count = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    latest = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(LIST_SIZE)))
    return [Section("recent_activity", "audit", count, latest)]
