"""The catalogue: categories, products, their images and price history."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.suppliers import SupplierProfile
from pbj.models.types import enum_column


class Category(db.Model):
    """Two levels: a top category (parent None) and its sub-categories."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class ProductStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


# TKDN + BMP from which a product carries the top preference tier, in hundredths of a percent.
TKDN_BMP_LABEL_X100 = 4000


class Preference(enum.IntEnum):
    """Domestic-preference rank (Perpres 16/2018 Art. 66(2) as amended by Perpres 46/2025);
    lower sorts first. TKDN counts only when certified (a TKDN-IK certificate counts)."""

    TKDN_BMP_40 = 1   # certified TKDN + BMP >= 40 % (so TKDN >= 25 %, as BMP <= 15 %)
    TKDN_25 = 2       # certified TKDN >= 25 %
    TKDN_LOW = 3      # certified TKDN below 25 %
    SIINAS = 4        # no TKDN certificate, registered in SIINas
    DOMESTIC = 5      # domestic, neither certified nor registered in SIINas
    IMPORT = 6        # not a domestic product


class LegalTier(enum.IntEnum):
    """The steps of Art. 66(2): going down one when a higher one is listed in the same
    category needs a lawful ground (services.orders.checkout). Ranks 1 and 2 are one
    step: where a TKDN + BMP >= 40 % product exists, any TKDN >= 25 % product may be bought."""

    A_TKDN_25 = 1     # (a) TKDN >= 25 %
    B_TKDN_LOW = 2    # (b) a lower certified TKDN
    C_SIINAS = 3      # (c) registered in SIINas
    D_DOMESTIC = 4    # domestic without either (below (c), above imports)
    E_IMPORT = 5      # imports, only when no domestic product serves


LEGAL_TIER = {
    Preference.TKDN_BMP_40: LegalTier.A_TKDN_25,
    Preference.TKDN_25: LegalTier.A_TKDN_25,
    Preference.TKDN_LOW: LegalTier.B_TKDN_LOW,
    Preference.SIINAS: LegalTier.C_SIINAS,
    Preference.DOMESTIC: LegalTier.D_DOMESTIC,
    Preference.IMPORT: LegalTier.E_IMPORT,
}


def legal_tier(preference: int) -> LegalTier:
    return LEGAL_TIER[Preference(preference)]


# Certifications a product may carry (codes stored, labels in the interface).
CERTIFICATIONS = ("SNI", "HALAL", "PIRT", "BPOM", "TKDN", "ISO9001")


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.org_id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[str] = mapped_column(sa.String(30))  # satuan: buah, kotak, paket …
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)  # whole rupiah
    min_order: Mapped[int] = mapped_column(default=1)
    stock: Mapped[int | None]  # None: made to order
    lead_time_days: Mapped[int] = mapped_column(default=1)
    delivery_area: Mapped[str] = mapped_column(sa.String(200), default="")
    # Percentages in hundredths (4025 = 40.25 %), so no floats are stored.
    tkdn_x100: Mapped[int] = mapped_column(default=0)
    bmp_x100: Mapped[int] = mapped_column(default=0)
    # TKDN counts (ranking, labels, filters) only with a certificate number AND its issue
    # date; a TKDN-IK certificate (small industry's self-assessment, Permenperin 46/2022) counts.
    tkdn_certificate: Mapped[str | None] = mapped_column(sa.String(60))
    tkdn_certificate_date: Mapped[date | None]
    tkdn_ik: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Tax class (services.taxes): "goods" (PPh 22), "services" (PPh 23) or "pbjt"
    # (restaurant/catering food and drink, a regional-tax object: no PPN).
    tax_class: Mapped[str] = mapped_column(sa.String(10), default="goods", server_default="goods")
    # Registered in SIINas (the industry ministry's information system); the number is optional.
    siinas: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    siinas_number: Mapped[str | None] = mapped_column(sa.String(40))
    is_pdn: Mapped[bool] = mapped_column(default=True)
    origin: Mapped[str] = mapped_column(sa.String(120), default="")
    certifications: Mapped[str] = mapped_column(sa.String(120), default="")  # space-separated codes
    # Derived, stored so filters and the default sort can use an index.
    # preference: from TKDN, BMP and PDN, the TKDN certificate and SIINas. The supplier flags are copied from
    # the supplier when the product is saved (services.catalogue._refresh_rank); a future
    # edit of a supplier's scale or region must refresh its products the same way.
    # priority = preference * 10 + (0 for a local UMK supplier, else 1).
    preference: Mapped[int] = mapped_column(sa.SmallInteger, default=Preference.IMPORT)
    supplier_is_umk: Mapped[bool] = mapped_column(default=False)
    supplier_is_local: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=61)
    status: Mapped[ProductStatus] = mapped_column(enum_column(ProductStatus), default=ProductStatus.DRAFT)
    # The price the UKPBJ last saw approved (first publication or an approved revision). A rise
    # above PRICE_RISE_REVIEW_PERCENT of it is a revision, so small steps add up against it.
    reviewed_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every write to a product must move this (the ORM does; a bulk UPDATE must set
    # it itself): it is the version that invalidates cached facet counts.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    supplier: Mapped[SupplierProfile] = relationship()
    category: Mapped[Category] = relationship()
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", order_by="ProductImage.position", cascade="all, delete-orphan"
    )
    price_history: Mapped[list[PriceChange]] = relationship(
        back_populates="product", order_by="PriceChange.changed_at.desc()"
    )

    __table_args__ = (
        sa.CheckConstraint("unit_price > 0", name="price_positive"),
        sa.CheckConstraint("min_order >= 1", name="min_order_positive"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("tkdn_x100 BETWEEN 0 AND 10000", name="tkdn_range"),
        sa.CheckConstraint("bmp_x100 BETWEEN 0 AND 1500", name="bmp_range"),
        # The public listing filters on status and sorts by priority, price or date.
        sa.Index("ix_products_public_priority", "status", "priority", "id"),
        sa.Index("ix_products_public_price", "status", "unit_price"),
        sa.Index("ix_products_public_new", "status", "published_at"),
        # A category's page in priority order, without sorting the whole category.
        sa.Index("ix_products_category_priority", "category_id", "status", "priority", "id"),
        # Covers the facet count (services.search._facet_rows): SQLite answers it from
        # this narrow index without reading the wide product rows.
        sa.Index("ix_products_facets", "status", "category_id", "supplier_id", "unit_price", "is_pdn",
                 "preference", "supplier_is_umk", "supplier_is_local", "stock", "min_order"),
        # max(updated_at) is the catalogue's data version for the facet cache.
        sa.Index("ix_products_updated_at", "updated_at"),
    )

    @property
    def tkdn_certified(self) -> bool:
        """TKDN counts only with a certificate number and its date (TKDN-IK included)."""
        return bool(self.tkdn_certificate) and self.tkdn_certificate_date is not None

    @property
    def tkdn_bmp_x100(self) -> int:
        """TKDN plus BMP, never shown above 100 %."""
        return min(self.tkdn_x100 + self.bmp_x100, 10000)

    @property
    def meets_tkdn_bmp_40(self) -> bool:
        """The top domestic-preference label (DESIGN.md): certified TKDN + BMP of at least 40 %."""
        return self.preference == Preference.TKDN_BMP_40

    @property
    def certification_list(self) -> list[str]:
        return self.certifications.split() if self.certifications else []

    @property
    def made_to_order(self) -> bool:
        return self.stock is None

    @hybrid_property
    def ready_stock(self) -> bool:
        """"Ready stock" (the catalogue's filter and label): at least one minimum order on
        hand. Made-to-order products (no stock) are not. The catalogue_counts trigger
        (migration 2026_11_26_0003) repeats it in SQL; a test keeps them in step."""
        return self.stock is not None and self.stock >= self.min_order

    @ready_stock.inplace.expression
    @classmethod
    def _ready_stock_expression(cls):
        return sa.and_(cls.stock.is_not(None), cls.stock >= cls.min_order)

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name!r}>"


class CatalogueCount(db.Model):
    """Published products per supplier, category and label combination.

    Kept by database triggers on `products` (see the 2026_11_26_0003 migration), so
    every write — the ORM, a bulk UPDATE of stock, a script — keeps it true. The
    public facet counts of a search without words or prices add up these few
    thousand rows instead of reading every product. Rows at zero are left in place.
    """

    __tablename__ = "catalogue_counts"

    supplier_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    is_pdn: Mapped[bool] = mapped_column(primary_key=True)
    tkdn40: Mapped[bool] = mapped_column(primary_key=True)  # preference tier TKDN+BMP >= 40 %
    umk: Mapped[bool] = mapped_column(primary_key=True)
    lokal: Mapped[bool] = mapped_column(primary_key=True)
    in_stock: Mapped[bool] = mapped_column(primary_key=True)  # stock >= minimum order
    n: Mapped[int] = mapped_column(default=0)


class CatalogueVersion(db.Model):
    """One row whose number every write to `products` moves, by database triggers (the
    2026_12_01_0013 migration), in commit order: what kept catalogue pages and facet
    counts are keyed by (pbj.services.search.catalogue_state)."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.BigInteger)


def preference_of(tkdn_x100: int, bmp_x100: int, is_pdn: bool, tkdn_certified: bool = False,
                  siinas: bool = False) -> Preference:
    """The rank of a product. Without a TKDN certificate its TKDN and BMP do not count."""
    if not is_pdn:
        return Preference.IMPORT
    if tkdn_certified and tkdn_x100 > 0:
        if tkdn_x100 + bmp_x100 >= TKDN_BMP_LABEL_X100:
            return Preference.TKDN_BMP_40
        if tkdn_x100 >= 2500:
            return Preference.TKDN_25
        return Preference.TKDN_LOW
    return Preference.SIINAS if siinas else Preference.DOMESTIC


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Files may be shared by several rows (demo data reuses its pictures).
    large_name: Mapped[str] = mapped_column(sa.String(80))
    thumb_name: Mapped[str] = mapped_column(sa.String(80))
    width: Mapped[int]
    height: Mapped[int]
    thumb_bytes: Mapped[int]

    product: Mapped[Product] = relationship(back_populates="images")


class PriceChange(db.Model):
    __tablename__ = "price_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    old_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    new_price: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    product: Mapped[Product] = relationship(back_populates="price_history")
    changed_by: Mapped[User | None] = relationship()


class RevisionStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REPLACED = "replaced"    # a newer edit took its place before the review
    WITHDRAWN = "withdrawn"  # the supplier edited the product back, or archived it


class ProductRevision(db.Model):
    """A change to a published product that waits for UKPBJ review.

    The public product stays as reviewed until the revision is approved. `proposed`
    holds the new values (JSON, codes and numbers only) of the fields that differ,
    `previous` the public values they would replace when it was submitted. At most one
    revision per product is pending (a partial unique index says so in the database).
    """

    __tablename__ = "product_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    status: Mapped[RevisionStatus] = mapped_column(enum_column(RevisionStatus), default=RevisionStatus.PENDING)
    proposed_json: Mapped[str] = mapped_column(sa.Text)
    previous_json: Mapped[str] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    on_behalf: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.Text)

    product: Mapped[Product] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.Index("ux_product_revisions_pending", "product_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
        sa.Index("ix_product_revisions_status", "status", "submitted_at"),
    )

    @property
    def proposed(self) -> dict:
        return json.loads(self.proposed_json)

    @property
    def previous(self) -> dict:
        return json.loads(self.previous_json)

    def __repr__(self) -> str:
        return f"<ProductRevision {self.id} of product {self.product_id} {self.status.value}>"
