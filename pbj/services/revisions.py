"""Changes to a published product wait for UKPBJ review (DESIGN.md, "Listing age and review").

What a published product *is* — the fields in `catalogue.REVIEWED_FIELDS` — and a price
rise of more than PRICE_RISE_REVIEW_PERCENT above the last reviewed price change only
through a revision that a UKPBJ administrator approves. Meanwhile the reviewed version
stays on sale unchanged: same name, rank and price. How the product is sold today
(stock, minimum order, lead time, delivery area) and a price fall or a rise within the
step apply at once. One revision per product waits at a time; a new edit replaces it.
Approving a revision that changes the name, category or unit restarts the listing-age
clock, so a dummy listing cannot be published, aged and then turned into something else.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Organisation, Role, User
from pbj.models.catalogue import Category, PriceChange, Product, ProductRevision, ProductStatus, RevisionStatus
from pbj.models.orders import Notification
from pbj.models.suppliers import SupplierProfile
from pbj.services import audit, catalogue, notifications
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.urls import absolute_url

# A revision changing one of these starts the listing-age clock again when approved.
LISTING_CLOCK_FIELDS = ("name", "category_id", "unit")


@dataclass
class SaveResult:
    """What saving a published product did."""

    revision: ProductRevision | None = None   # the pending revision, new or kept
    applied: list[str] = field(default_factory=list)  # fields changed at once
    withdrawn: bool = False  # the edit undid the pending revision


def price_needs_review(new_price: int, current_price: int, reviewed_price: int | None, limit_percent: int) -> bool:
    """A rise above the public price that is more than `limit_percent` above the last reviewed
    price (integer arithmetic). Falls, and rises within the step, apply at once."""
    if new_price <= current_price:
        return False
    base = reviewed_price if reviewed_price is not None else current_price
    return (new_price - base) * 100 > base * limit_percent


def pending_revision(product: Product) -> ProductRevision | None:
    return db.session.scalar(sa.select(ProductRevision).where(
        ProductRevision.product_id == product.id, ProductRevision.status == RevisionStatus.PENDING))


def pending_product_ids(product_ids: list[int]) -> set[int]:
    """Which of these products have a change waiting for review (one query, for lists)."""
    if not product_ids:
        return set()
    return set(db.session.scalars(sa.select(ProductRevision.product_id).where(
        ProductRevision.product_id.in_(product_ids), ProductRevision.status == RevisionStatus.PENDING)))


def latest_decided(product: Product) -> ProductRevision | None:
    """The last revision the UKPBJ approved or rejected (the supplier sees a rejection's reason)."""
    return db.session.scalar(
        sa.select(ProductRevision).where(ProductRevision.product_id == product.id,
                                         ProductRevision.status.in_((RevisionStatus.APPROVED,
                                                                     RevisionStatus.REJECTED)))
        .order_by(ProductRevision.decided_at.desc(), ProductRevision.id.desc()).limit(1))


def save_published(actor: User, product: Product, data: catalogue.ProductData, now: datetime) -> SaveResult:
    """`catalogue.update_product` for a published product (`data` already checked)."""
    _lock(Product, product.id)  # two saves at once: the second sees the first's revision
    result = SaveResult()
    for name in catalogue.IMMEDIATE_FIELDS:
        if getattr(product, name) != getattr(data, name):
            setattr(product, name, getattr(data, name))
            result.applied.append(name)

    old_price = product.unit_price
    limit = current_app.config["PRICE_RISE_REVIEW_PERCENT"]
    price_to_review = price_needs_review(data.unit_price, old_price, product.reviewed_price, limit)
    if data.unit_price != old_price and not price_to_review:
        product.unit_price = data.unit_price
        db.session.add(PriceChange(product=product, old_price=old_price, new_price=data.unit_price,
                                   changed_by=actor))
        result.applied.append("unit_price")

    public = catalogue.field_values(product)
    wanted = catalogue.field_values(data)
    proposed = {name: value for name, value in wanted.items()
                if name != "unit_price" and value != public[name]}
    if price_to_review:
        proposed["unit_price"] = data.unit_price

    pending = pending_revision(product)
    if proposed and pending is not None and pending.proposed == proposed:
        result.revision = pending  # the same change is already waiting
    elif proposed:
        replaced = None
        if pending is not None:
            _close(pending, RevisionStatus.REPLACED, actor, now)
            replaced = pending.id
            db.session.flush()  # the old one stops being pending before the new one is
        result.revision = ProductRevision(
            product=product, proposed_json=json.dumps(proposed, sort_keys=True),
            previous_json=json.dumps({name: public[name] for name in proposed}, sort_keys=True),
            submitted_by=actor, submitted_at=now, on_behalf=actor.role is Role.ADMIN)
        db.session.add(result.revision)
        db.session.flush()
        audit.record("product.revision_submitted", actor, product, at=now, revision_id=result.revision.id,
                     fields=sorted(proposed), replaced_revision_id=replaced,
                     on_behalf=actor.role is Role.ADMIN)
    elif pending is not None:
        _close(pending, RevisionStatus.WITHDRAWN, actor, now)
        audit.record("product.revision_withdrawn", actor, product, at=now, revision_id=pending.id)
        result.withdrawn = True

    if result.applied:
        audit.record("product.updated", actor, product, at=now, price_old=old_price,
                     price_new=product.unit_price, fields=result.applied, on_behalf=actor.role is Role.ADMIN)
    return result


def _lock(model, ident: int) -> None:
    """Lock the row and reload it (PostgreSQL; SQLite writers already take turns), so
    concurrent saves and double clicks on a decision go one after the other."""
    db.session.execute(sa.select(model).where(model.id == ident).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()


def _close(revision: ProductRevision, status: RevisionStatus, actor: User | None, now: datetime) -> None:
    revision.status = status
    revision.decided_by = actor
    revision.decided_at = now


def _require_reviewer(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators review products."))


def _require_pending(revision: ProductRevision) -> None:
    _lock(ProductRevision, revision.id)
    if revision.status is not RevisionStatus.PENDING:
        raise WrongState(_l("This change was already decided or replaced by a newer one; nothing was done."))
    if revision.product.status is not ProductStatus.PUBLISHED:
        raise WrongState(_l("The product is no longer published; the change cannot be applied."))


def approve_revision(actor: User, revision: ProductRevision, now: datetime) -> bool:
    """Apply the revision to the public product. The approved price becomes the reviewed
    price. Returns True when the listing-age clock started again (name, category or unit)."""
    _require_reviewer(actor)
    _require_pending(revision)
    product = revision.product
    proposed = revision.proposed
    if "category_id" in proposed and db.session.get(Category, proposed["category_id"]) is None:
        # Deleting a category checks the products filed under it, not the changes proposing it.
        raise WrongState(_l("The proposed category has been deleted since; reject the change with a reason."))
    new_price = proposed.pop("unit_price", None)
    catalogue.set_field_values(product, proposed)
    if new_price is not None and new_price != product.unit_price:
        db.session.add(PriceChange(product=product, old_price=product.unit_price, new_price=new_price,
                                   changed_by=revision.submitted_by))
        product.unit_price = new_price
    product.reviewed_price = product.unit_price
    restarted = any(name in proposed for name in LISTING_CLOCK_FIELDS)
    if restarted:
        product.published_at = now
    catalogue._refresh_rank(product, product.supplier)
    _close(revision, RevisionStatus.APPROVED, actor, now)
    audit.record("product.revision_approved", actor, product, at=now, revision_id=revision.id,
                 fields=sorted(revision.proposed), listing_clock_restarted=restarted)
    tell_supplier(product, "product.revision_approved", actor, now)
    return restarted


def reject_revision(actor: User, revision: ProductRevision, reason: str, now: datetime) -> None:
    """Keep the public product as it is; the supplier sees the reason."""
    _require_reviewer(actor)
    _require_pending(revision)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason the supplier can act on."), field="reason")
    revision.reason = reason
    _close(revision, RevisionStatus.REJECTED, actor, now)
    audit.record("product.revision_rejected", actor, revision.product, at=now, revision_id=revision.id,
                 reason=reason)
    tell_supplier(revision.product, "product.revision_rejected", actor, now)


def withdraw_pending(actor: User | None, product: Product, now: datetime) -> None:
    """An archived product's pending change is dropped (nothing is left to review)."""
    pending = pending_revision(product)
    if pending is not None:
        _close(pending, RevisionStatus.WITHDRAWN, actor, now)
        audit.record("product.revision_withdrawn", actor, product, at=now, revision_id=pending.id)


# -- Telling the supplier ------------------------------------------------------------

def tell_supplier(product: Product, event_name: str, actor: User | None, when: datetime) -> None:
    """An in-app notice to each active user of the product's supplier, and an e-mail after the
    commit, as for orders. The notice's text is the audit action's label."""
    users = db.session.scalars(sa.select(User).where(User.org_id == product.supplier_id,
                                                     User.role == Role.PENYEDIA))
    for user in users:
        if not user.is_active or (actor is not None and user.id == actor.id):
            continue
        db.session.add(Notification(user_id=user.id, order_id=None, event=event_name, created_at=when))
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
            subject = _("Product “%(name)s”: %(what)s", name=product.name, what=_MAIL_WHAT[event_name]())
            body = _("Product “%(name)s”: %(what)s.\n\nOpen the product: %(url)s\n", name=product.name,
                     what=_MAIL_WHAT[event_name](),
                     url=absolute_url("listings.edit", product_id=product.id))
        notifications.mail_after_commit(user.email, subject, body)


_MAIL_WHAT = {
    "product.published": lambda: _("approved and published"),
    "product.rejected": lambda: _("not approved; see the reason on the product page"),
    "product.revision_approved": lambda: _("your change is approved and now public"),
    "product.revision_rejected": lambda: _("your change is not approved; see the reason on the product page"),
}


# -- The UKPBJ review queue -------------------------------------------------------------

KIND_NEW = "baru"          # a product waiting for its first publication (or sent back under the old rule)
KIND_REVISION = "perubahan"  # a pending revision of a published product
QUEUE_KINDS = (KIND_NEW, KIND_REVISION)


@dataclass
class QueueFilter:
    """The queue's GET parameters, already checked (anything unreadable is left out)."""

    q: str = ""
    kind: str | None = None
    supplier_id: int | None = None
    category_ids: list[int] | None = None  # a sub-category, or a top category with its children


@dataclass
class QueueItem:
    kind: str
    product: Product
    revision: ProductRevision | None
    since: datetime


@dataclass
class QueuePage:
    items: list[QueueItem]
    counts: dict[str, int]
    page: int
    per_page: int
    has_next: bool
    total: int = 0  # what waits under the chosen filters, kind included

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _queue_selects(filters: QueueFilter):
    new = (sa.select(sa.literal(KIND_NEW).label("kind"), Product.id.label("product_id"),
                     sa.cast(sa.null(), sa.Integer).label("revision_id"), Product.updated_at.label("since"))
           .where(Product.status == ProductStatus.SUBMITTED))
    revision = (sa.select(sa.literal(KIND_REVISION).label("kind"), Product.id.label("product_id"),
                          ProductRevision.id.label("revision_id"), ProductRevision.submitted_at.label("since"))
                .join(Product, Product.id == ProductRevision.product_id)
                .where(ProductRevision.status == RevisionStatus.PENDING))
    selects = {}
    for kind, query in ((KIND_NEW, new), (KIND_REVISION, revision)):
        if filters.q:
            query = (query.join(SupplierProfile, SupplierProfile.org_id == Product.supplier_id)
                     .join(Organisation, Organisation.id == SupplierProfile.org_id)
                     .where(sa.or_(Product.name.icontains(filters.q, autoescape=True),
                                   Organisation.name.icontains(filters.q, autoescape=True))))
        if filters.supplier_id is not None:
            query = query.where(Product.supplier_id == filters.supplier_id)
        if filters.category_ids is not None:
            query = query.where(Product.category_id.in_(filters.category_ids))
        selects[kind] = query
    return selects


def review_queue(filters: QueueFilter, page: int, per_page: int) -> QueuePage:
    """New products and pending revisions, longest waiting first, with a count per kind
    (the counts follow every filter but the kind). A fixed number of queries."""
    selects = _queue_selects(filters)
    counts = {kind: db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
              for kind, query in selects.items()}
    chosen = [selects[filters.kind]] if filters.kind in selects else list(selects.values())
    union = sa.union_all(*chosen).subquery()
    rows = db.session.execute(
        sa.select(union.c.kind, union.c.product_id, union.c.revision_id, union.c.since)
        .order_by(union.c.since, union.c.product_id).limit(per_page + 1).offset((page - 1) * per_page)).all()
    shown = rows[:per_page]
    products = {p.id: p for p in db.session.scalars(
        sa.select(Product).where(Product.id.in_([r.product_id for r in shown]))
        .options(joinedload(Product.supplier).joinedload(SupplierProfile.org), joinedload(Product.category),
                 selectinload(Product.images), selectinload(Product.price_history)))}
    revision_ids = [r.revision_id for r in shown if r.revision_id is not None]
    found = {r.id: r for r in db.session.scalars(
        sa.select(ProductRevision).where(ProductRevision.id.in_(revision_ids)))} if revision_ids else {}
    items = [QueueItem(r.kind, products[r.product_id], found.get(r.revision_id), r.since) for r in shown]
    total = counts[filters.kind] if filters.kind in selects else sum(counts.values())
    return QueuePage(items, counts, page, per_page, len(rows) > per_page, total)


def queue_suppliers() -> list[tuple[int, str]]:
    """Suppliers with something in the queue, for the filter's list."""
    waiting = sa.or_(Product.status == ProductStatus.SUBMITTED,
                     Product.id.in_(sa.select(ProductRevision.product_id)
                                    .where(ProductRevision.status == RevisionStatus.PENDING)))
    return [tuple(row) for row in db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(
            Organisation.id.in_(sa.select(Product.supplier_id).where(waiting)))
        .order_by(Organisation.name))]
