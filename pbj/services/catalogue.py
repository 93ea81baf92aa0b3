"""Product listings: create, edit, review, publish, archive; images; price history."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import Role, User
from pbj.models.catalogue import (
    CERTIFICATIONS,
    Category,
    PriceChange,
    Product,
    ProductImage,
    ProductStatus,
    preference_of,
)
from pbj.models.suppliers import Sanction, SupplierProfile, VerificationStatus
from pbj.services import audit, revisions  # revisions uses this module too (at call time only)
from pbj.services import taxes
from pbj.services.errors import DomainError, NotAllowed, WrongState
from pbj.services import uploads
from pbj.services.uploads import StoredImage, store_product_image

MAX_IMAGES = 5
MAX_PRICE = 10**13  # ten trillion rupiah: anything above is a typing error


@dataclass
class ProductData:
    """What a supplier (or an admin on its behalf) fills in for a product."""

    category_id: int
    name: str
    unit: str
    unit_price: int
    description: str = ""
    min_order: int = 1
    stock: int | None = None
    lead_time_days: int = 1
    delivery_area: str = ""
    tkdn_x100: int = 0
    bmp_x100: int = 0
    tkdn_certificate: str | None = None
    tkdn_certificate_date: date | None = None
    tkdn_ik: bool = False           # a TKDN-IK certificate (small industry, self-assessed)
    siinas: bool = False            # registered in SIINas
    siinas_number: str | None = None
    is_pdn: bool = True
    origin: str = ""
    certifications: list[str] = field(default_factory=list)
    tax_class: str = "goods"        # services.taxes.TAX_CLASSES


# -- Permissions ------------------------------------------------------------------

def may_manage(actor: User, supplier_id: int) -> bool:
    """The supplier's own users, and UKPBJ admins (assisted onboarding)."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.PENYEDIA and actor.org_id == supplier_id


def _require_manager(actor: User, supplier_id: int) -> None:
    if not may_manage(actor, supplier_id):
        raise NotAllowed(_l("Only the supplier itself or a UKPBJ administrator may change this product."))


def _on_behalf(actor: User) -> bool:
    return actor.role is Role.ADMIN


# -- Validation -----------------------------------------------------------------------

def _clean(data: ProductData, today: date | None = None) -> ProductData:
    if db.session.get(Category, data.category_id) is None:
        raise DomainError(_l("Choose a category."), field="category_id")
    if not data.name.strip():
        raise DomainError(_l("Enter the product name."), field="name")
    if not 0 < data.unit_price <= MAX_PRICE:
        raise DomainError(_l("Enter a price in whole rupiah, more than zero."), field="unit_price")
    if data.min_order < 1:
        raise DomainError(_l("The minimum order is at least 1."), field="min_order")
    if data.stock is not None and data.stock < 0:
        raise DomainError(_l("Stock cannot be negative; leave it empty for made to order."), field="stock")
    if data.tax_class not in taxes.TAX_CLASSES:
        raise DomainError(_l("Choose the product's tax class: goods, a service, restaurant/catering food and "
                             "drink, a basic staple, or rice."), field="tax_class")
    if not 0 <= data.tkdn_x100 <= 10000:
        raise DomainError(_l("TKDN is a percentage from 0 to 100."), field="tkdn")
    if not 0 <= data.bmp_x100 <= 1500:
        raise DomainError(_l("BMP is a percentage from 0 to 15."), field="bmp")
    if data.lead_time_days < 0:
        raise DomainError(_l("The lead time cannot be negative."), field="lead_time_days")
    unknown = set(data.certifications) - set(CERTIFICATIONS)
    if unknown:
        raise DomainError(_l("Unknown certification."), field="certifications")
    data.name = data.name.strip()
    data.unit = data.unit.strip()
    data.tkdn_certificate = (data.tkdn_certificate or "").strip() or None
    data.siinas_number = (data.siinas_number or "").strip() or None
    # A SIINas number means the product's maker is registered there.
    data.siinas = bool(data.siinas or data.siinas_number)
    if data.tkdn_certificate and data.tkdn_certificate_date is None:
        raise DomainError(_l("Enter the date the TKDN certificate was issued: without it the TKDN does "
                             "not count."), field="tkdn_certificate_date")
    if data.tkdn_certificate_date is not None and not data.tkdn_certificate:
        raise DomainError(_l("Enter the TKDN certificate number for this date."), field="tkdn_certificate")
    if data.tkdn_certificate_date is not None and data.tkdn_certificate_date > (today or city_today()):
        raise DomainError(_l("The certificate date cannot be in the future."), field="tkdn_certificate_date")
    if data.tkdn_certificate and not data.tkdn_x100:
        raise DomainError(_l("Enter the TKDN percentage written on the certificate."), field="tkdn")
    if data.tkdn_ik and not data.tkdn_certificate:
        raise DomainError(_l("A TKDN-IK certificate also has a number and a date: enter them."),
                          field="tkdn_certificate")
    return data


# What a product *is*: on a published product a change of any of these waits for UKPBJ
# review as a revision (services.revisions), and so does a price rise beyond the allowed
# step. Certifications (SNI, halal, BPOM …) are claims buyers rely on, so they are reviewed too.
REVIEWED_FIELDS = ("category_id", "name", "unit", "description", "tkdn_x100", "bmp_x100", "tkdn_certificate",
                   "tkdn_certificate_date", "tkdn_ik", "siinas", "siinas_number", "is_pdn", "origin",
                   "certifications", "tax_class")
# How the product is sold today: these change at once, also on a published product.
IMMEDIATE_FIELDS = ("min_order", "stock", "lead_time_days", "delivery_area")


def field_values(source: Product | ProductData) -> dict:
    """The reviewed fields and the price of a product or of form data, as JSON values
    (dates as ISO text, certifications as their codes in a fixed order)."""
    values = {}
    for name in REVIEWED_FIELDS + ("unit_price",):
        value = getattr(source, name)
        if name == "certifications":
            codes = value.split() if isinstance(value, str) else list(value)
            value = " ".join(c for c in CERTIFICATIONS if c in codes)
        elif name == "tkdn_certificate_date" and value is not None:
            value = value.isoformat()
        values[name] = value
    return values


def set_field_values(product: Product, values: dict) -> None:
    """Put `field_values`-shaped values on a product (its rank is refreshed by the caller)."""
    for name, value in values.items():
        if name == "tkdn_certificate_date" and value is not None:
            value = date.fromisoformat(value)
        setattr(product, name, value)


def _apply(product: Product, data: ProductData) -> None:
    for name in IMMEDIATE_FIELDS:
        setattr(product, name, getattr(data, name))
    values = field_values(data)
    values.pop("unit_price")
    set_field_values(product, values)
    _refresh_rank(product, product.supplier)


def _refresh_rank(product: Product, supplier: SupplierProfile) -> None:
    product.preference = int(preference_of(product.tkdn_x100, product.bmp_x100, product.is_pdn,
                                           tkdn_certified=product.tkdn_certified, siinas=product.siinas))
    product.supplier_is_umk = supplier.is_umk
    product.supplier_is_local = supplier.is_local(current_app.config["CITY_REGION_CODE"])
    local_umk = product.supplier_is_umk and product.supplier_is_local
    product.priority = product.preference * 10 + (0 if local_umk else 1)


# -- Operations -------------------------------------------------------------------------

def create_product(actor: User, supplier: SupplierProfile, data: ProductData) -> Product:
    """A new draft. An admin creating it is recorded as acting on the supplier's behalf."""
    _require_manager(actor, supplier.org_id)
    data = _clean(data)
    product = Product(supplier=supplier, status=ProductStatus.DRAFT, unit_price=data.unit_price)
    _apply(product, data)
    db.session.add(product)
    db.session.flush()
    db.session.add(PriceChange(product=product, old_price=None, new_price=data.unit_price, changed_by=actor))
    audit.record("product.created", actor, product, supplier_id=supplier.org_id, name=product.name,
                 price=product.unit_price, on_behalf=_on_behalf(actor))
    return product


def _require_not_archived(product: Product) -> None:
    if product.status is ProductStatus.ARCHIVED:
        raise WrongState(_l("An archived product cannot be changed."))


def update_product(actor: User, product: Product, data: ProductData, now: datetime | None = None):
    """Save changes. A draft, a product waiting for its first review or a rejected one is
    changed directly (returns None). On a published product, stock, minimum order, lead
    time, delivery area and a price fall or small rise apply at once, and a change to what
    the product is, or a rise beyond the step, becomes a pending revision while the reviewed
    version stays on sale: returns `revisions.SaveResult`."""
    _require_manager(actor, product.supplier_id)
    _require_not_archived(product)
    data = _clean(data)
    if product.status is ProductStatus.PUBLISHED:
        return revisions.save_published(actor, product, data, now or utcnow())
    _apply(product, data)
    old_price = product.unit_price
    if data.unit_price != old_price:
        product.unit_price = data.unit_price
        db.session.add(PriceChange(product=product, old_price=old_price, new_price=data.unit_price,
                                   changed_by=actor))
    audit.record("product.updated", actor, product, price_old=old_price, price_new=product.unit_price,
                 on_behalf=_on_behalf(actor))
    return None


def submit_product(actor: User, product: Product) -> None:
    _require_manager(actor, product.supplier_id)
    if product.status not in (ProductStatus.DRAFT, ProductStatus.REJECTED):
        raise WrongState(_l("Only a draft or rejected product can be sent for review."))
    if not product.images:
        raise DomainError(_l("Add at least one photo before sending the product for review."), field="image")
    product.status = ProductStatus.SUBMITTED
    product.rejection_reason = None
    audit.record("product.submitted", actor, product, on_behalf=_on_behalf(actor))


def approve_product(actor: User, product: Product) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators review products."))
    if product.status is not ProductStatus.SUBMITTED:
        raise WrongState(_l("Only a product waiting for review can be approved."))
    if product.supplier.verification is not VerificationStatus.VERIFIED:
        raise WrongState(_l("The supplier must be verified before its products are published."))
    product.status = ProductStatus.PUBLISHED
    # The listing age counts from this publication. (A product sent back to review by the
    # rule before revisions existed may have changed meanwhile: its clock starts again too.)
    product.published_at = utcnow()
    product.reviewed_price = product.unit_price
    audit.record("product.published", actor, product)
    revisions.tell_supplier(product, "product.published", actor, product.published_at)


def reject_product(actor: User, product: Product, reason: str) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators review products."))
    if product.status is not ProductStatus.SUBMITTED:
        raise WrongState(_l("Only a product waiting for review can be rejected."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason the supplier can act on."), field="reason")
    product.status = ProductStatus.REJECTED
    product.rejection_reason = reason
    audit.record("product.rejected", actor, product, reason=reason)
    revisions.tell_supplier(product, "product.rejected", actor, utcnow())


def archive_product(actor: User, product: Product) -> None:
    _require_manager(actor, product.supplier_id)
    if product.status is ProductStatus.ARCHIVED:
        raise WrongState(_l("This product is already archived."))
    product.status = ProductStatus.ARCHIVED
    audit.record("product.archived", actor, product, on_behalf=_on_behalf(actor))
    revisions.withdraw_pending(actor, product, utcnow())


def add_images(actor: User, product: Product, photos: list[bytes], now: datetime | None = None,
               ) -> list[ProductImage]:
    """Add the photos of one upload, all or none. Everything cheap is checked before any
    picture is decoded: the count, the supplier's hourly upload limit, and each photo's
    size, type and pixels from its header. A photo refused later leaves no file behind."""
    _require_manager(actor, product.supplier_id)
    _require_not_archived(product)
    now = now or utcnow()
    if len(product.images) + len(photos) > MAX_IMAGES:
        raise DomainError(_l("A product has at most %(n)d photos.", n=MAX_IMAGES), field="image")
    uploads.require_upload_quota(actor, product.supplier, len(photos), now, field="image")
    max_bytes = current_app.config["IMAGE_MAX_BYTES"]
    uploads.probe_images(photos, max_bytes)
    stored: list[StoredImage] = []
    try:
        for data in photos:  # one at a time: at most one decoded picture in memory
            stored.append(store_product_image(data, max_bytes))
        return [attach_image(actor, product, one, now) for one in stored]
    except BaseException:
        for one in stored:
            uploads.discard_product_image(one)
        raise


def add_image(actor: User, product: Product, data: bytes, now: datetime | None = None) -> ProductImage:
    return add_images(actor, product, [data], now)[0]


def attach_image(actor: User | None, product: Product, stored: StoredImage,
                 now: datetime | None = None) -> ProductImage:
    image = ProductImage(product=product, position=len(product.images), large_name=stored.large_name,
                         thumb_name=stored.thumb_name, width=stored.width, height=stored.height,
                         thumb_bytes=stored.thumb_bytes)
    db.session.add(image)
    # The cards show the first photo: a new photo is a new version of the catalogue
    # (search.catalogue_state), as any other write to the product.
    product.updated_at = now or utcnow()
    db.session.flush()
    # The entry's time also counts the upload against the supplier's hourly limit.
    audit.record("product.image_added", actor, product, at=now, image_id=image.id)
    return image


def remove_image(actor: User, product: Product, image_id: int) -> None:
    _require_manager(actor, product.supplier_id)
    _require_not_archived(product)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise DomainError(_l("That photo does not belong to this product."), field="image")
    if product.status in (ProductStatus.SUBMITTED, ProductStatus.PUBLISHED) and len(product.images) == 1:
        # Reviewed and public products always show at least one photo.
        raise DomainError(_l("A product under review or published keeps at least one photo."), field="image")
    product.images.remove(image)
    for position, other in enumerate(product.images):
        other.position = position
    product.updated_at = utcnow()  # a new version of the catalogue, as in attach_image
    audit.record("product.image_removed", actor, product, image_id=image_id)


# -- Public visibility --------------------------------------------------------------------

def hidden_supplier_ids(today: date) -> list[int]:
    """Suppliers whose published products are not shown: unverified or sanctioned today.

    A small list (sanctions are rare, unverified suppliers have no published
    products unless they lost verification); queried fresh, so a sanction that
    ended yesterday needs no job to lift it.
    """
    return list(db.session.execute(_hidden_suppliers_statement(), {"today": today}).scalars())


@functools.cache
def _hidden_suppliers_statement():
    # Built once, with the day as a parameter: every catalogue request asks, and building
    # the statement and loading through the ORM cost three times the query (issue 15).
    return sa.select(SupplierProfile.__table__.c.org_id).where(
        sa.or_(SupplierProfile.verification != VerificationStatus.VERIFIED,
               SupplierProfile.sanctioned_on(sa.bindparam("today", type_=sa.Date))))


def supplier_listed(supplier: SupplierProfile, today: date) -> bool:
    """Are this supplier's published products shown today? Verified, and no sanction in
    force. `hidden_supplier_ids` is its SQL twin (a test keeps them in step)."""
    return supplier.verification is VerificationStatus.VERIFIED and supplier.active_sanction(today) is Sanction.NONE


def is_public(product: Product, today: date) -> bool:
    return product.status is ProductStatus.PUBLISHED and supplier_listed(product.supplier, today)


# -- Categories ------------------------------------------------------------------------------

def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


CATEGORY_NAME_MAX = 120  # the column's length


def _require_category_admin(actor: User | None) -> None:
    # None is the system itself (demo data, commands), never a web request.
    if actor is not None and actor.role is not Role.ADMIN:
        raise NotAllowed(_l("Only UKPBJ administrators manage categories."))


def _level(parent_id: int | None) -> list[Category]:
    """The categories sharing one parent (or the top level), in display order."""
    return list(db.session.scalars(
        sa.select(Category).where(Category.parent_id == parent_id)
        .order_by(Category.position, Category.name, Category.id)
    ))


def _renumber(level: list[Category]) -> None:
    # Dense 0..n-1, so "first", "last" and "one up" mean what the list shows.
    for position, category in enumerate(level):
        category.position = position


def _name_used_on_level(name: str, parent_id: int | None, ignore: Category | None = None) -> bool:
    """Two categories side by side may not share a name (case and spaces aside)."""
    wanted = name.strip().casefold()
    return any(c is not ignore and c.name.strip().casefold() == wanted for c in _level(parent_id))


def product_count(category: Category) -> int:
    """Products filed under this category, in any status (drafts and archived ones too)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.category_id == category.id)) or 0


def create_category(actor: User | None, name: str, parent: Category | None = None,
                    slug: str | None = None) -> Category:
    """A new category, last on its level."""
    _require_category_admin(actor)
    if parent is not None and parent.parent_id is not None:
        raise DomainError(_l("Categories have two levels: choose a top-level parent."), field="parent_id")
    slug = slugify(slug or name)
    if not slug:
        raise DomainError(_l("Enter a name with letters or digits."), field="name")
    parent_id = parent.id if parent else None
    if _name_used_on_level(name, parent_id):
        raise DomainError(_l("Another category already uses this name."), field="name")
    holder = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if holder is not None:
        if holder.name.strip().casefold() == name.strip().casefold():
            raise DomainError(_l("Another category already uses this name."), field="name")
        # A renamed category keeps its old web address, so the clash is not visible from the names.
        raise DomainError(_l("The web address “%(slug)s” made from this name already belongs to the "
                             "category “%(name)s”. Choose a different name.", slug=slug, name=holder.name),
                          field="name")
    position = db.session.scalar(sa.select(sa.func.count()).select_from(Category)
                                 .where(Category.parent_id == parent_id)) or 0
    category = Category(name=name.strip(), slug=slug, parent=parent, position=position)
    db.session.add(category)
    db.session.flush()
    audit.record("category.created", actor, category, name=category.name, slug=slug)
    return category


def rename_category(actor: User, category: Category, name: str, slug: str | None = None) -> bool:
    """Give a category a new name and, when `slug` differs from today's, a new web address.

    Slugs are in bookmarked public links (/katalog?kategori=<slug>), so a new name
    keeps the old slug unless the administrator changes the slug itself. Returns
    False, recording nothing, when neither changes.
    """
    _require_category_admin(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Enter the name."), field="name")
    if len(name) > CATEGORY_NAME_MAX:
        raise DomainError(_l("Use at most %(max)d characters.", max=CATEGORY_NAME_MAX), field="name")
    if not slugify(name):
        raise DomainError(_l("Enter a name with letters or digits."), field="name")
    if _name_used_on_level(name, category.parent_id, ignore=category):
        raise DomainError(_l("Another category already uses this name."), field="name")
    new_slug = category.slug if slug is None else slugify(slug)
    if not new_slug:
        raise DomainError(_l("Enter a web address with letters or digits."), field="slug")
    if new_slug != category.slug:
        holder = db.session.scalar(sa.select(Category).where(Category.slug == new_slug))
        if holder is not None:
            raise DomainError(_l("The web address “%(slug)s” already belongs to the category “%(name)s”.",
                                 slug=new_slug, name=holder.name), field="slug")
    if name == category.name and new_slug == category.slug:
        return False
    old_name, old_slug = category.name, category.slug
    category.name, category.slug = name, new_slug
    db.session.flush()
    audit.record("category.renamed", actor, category, old_name=old_name, name=name, old_slug=old_slug,
                 slug=new_slug)
    return True


def move_category(actor: User, category: Category, parent: Category | None) -> bool:
    """Put a category under another top-level category, or on the top level; it goes last there.

    Categories have two levels, so the new parent must be top-level, and a top-level
    category with sub-categories stays where it is. Returns False, recording nothing,
    when the parent does not change.
    """
    _require_category_admin(actor)
    if parent is not None:
        if parent.id == category.id:
            raise DomainError(_l("A category cannot be its own parent."), field="parent_id")
        if parent.parent_id is not None:
            raise DomainError(_l("Categories have two levels: choose a top-level parent."), field="parent_id")
        if _level(category.id):
            raise DomainError(_l("“%(name)s” has sub-categories, so it stays a top-level category. "
                                 "Move its sub-categories first.", name=category.name), field="parent_id")
    new_parent_id = parent.id if parent else None
    old_parent_id = category.parent_id
    if new_parent_id == old_parent_id:
        return False
    if _name_used_on_level(category.name, new_parent_id):
        raise DomainError(_l("Another category there already uses the name “%(name)s”.", name=category.name),
                          field="parent_id")
    old_level = [c for c in _level(old_parent_id) if c is not category]
    position = len(_level(new_parent_id))
    category.parent = parent
    category.position = position
    _renumber(old_level)
    db.session.flush()
    audit.record("category.moved", actor, category, name=category.name, old_parent_id=old_parent_id,
                 parent_id=new_parent_id, position=position)
    return True


def reorder_category(actor: User, category: Category, direction: str) -> None:
    """Swap a category with its neighbour above ("up") or below ("down") on its level."""
    _require_category_admin(actor)
    if direction not in ("up", "down"):
        raise DomainError(_l("Choose up or down."), field="direction")
    level = _level(category.parent_id)
    old = level.index(category)
    new = old - 1 if direction == "up" else old + 1
    if new < 0:
        raise DomainError(_l("“%(name)s” is already first.", name=category.name))
    if new >= len(level):
        raise DomainError(_l("“%(name)s” is already last.", name=category.name))
    level[old], level[new] = level[new], level[old]
    _renumber(level)  # also closes any gap left by older data
    db.session.flush()
    audit.record("category.reordered", actor, category, name=category.name, direction=direction,
                 old_position=old, position=new)


def delete_category(actor: User, category: Category) -> None:
    """Delete a category nobody uses: no sub-categories and no products in any status.

    Products keep their category for good (archived ones stay on record), so a
    category in use is renamed or moved instead.
    """
    _require_category_admin(actor)
    children = len(_level(category.id))
    if children:
        raise DomainError(_l("“%(name)s” cannot be deleted while it has sub-categories. Sub-categories: "
                             "%(count)d. Move or delete them first.", name=category.name, count=children))
    products = product_count(category)
    if products:
        raise DomainError(_l("“%(name)s” cannot be deleted while products use it. Products in this "
                             "category: %(count)d, drafts and archived ones included. Rename or move the "
                             "category instead.", name=category.name, count=products))
    parent_id = category.parent_id
    try:
        # The counts above cannot see everything that refers to a category (an order item keeps
        # the category its product had; a product may be added meanwhile): the database decides.
        with db.session.begin_nested():
            db.session.delete(category)
    except sa.exc.IntegrityError:
        raise DomainError(_l("“%(name)s” cannot be deleted: other records, such as orders, still refer "
                             "to it. Rename or move the category instead.", name=category.name)) from None
    audit.record("category.deleted", actor, category, name=category.name, slug=category.slug,
                 parent_id=parent_id)
    _renumber(_level(parent_id))
    db.session.flush()


def category_tree() -> list[Category]:
    """Top-level categories with their children loaded, in display order."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        sa.select(Category).where(Category.parent_id.is_(None))
        .options(selectinload(Category.children)).order_by(Category.position, Category.name)
    ))
