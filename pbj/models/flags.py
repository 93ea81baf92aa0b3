"""Risk flags for the Inspectorate (APIP): patterns in the orders worth a second look.

A flag is computed, never typed in: `services.flags.refresh` finds every pattern and
upserts one row per stable `key` (kind and the objects involved), so a refresh neither
duplicates a flag nor forgets that it was reviewed. A flag whose pattern no longer
holds is kept, with `active` False (an auditor may have cited it).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.types import enum_column


class FlagKind(enum.Enum):
    SPLIT = "split"                # split packages
    PRICE = "price"                # far above the category median or the product's own price
    CONCENTRATION = "concentration"  # a PPK or OPD buying mostly from one supplier
    FAST_ORDER = "fast_order"      # ordered soon after listing or after the last reviewed change
    PREFERENCE = "preference"      # orders down a domestic-preference tier, by PPK and ground
    TKDN = "tkdn"                  # TKDN claim changed, certificate missing or expired
    CONFLICT = "conflict"          # a supplier's contact or NPWP matching an official's
    LATE_PAYMENT = "late_payment"  # unpaid past PAYMENT_DUE_WORKING_DAYS
    PENALTY_WAIVED = "penalty_waived"


class RiskFlag(db.Model):
    __tablename__ = "risk_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kind and the objects involved ("split:opd=3:supplier=7:2026-03-02"): the same
    # pattern found again updates this row.
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind), index=True)
    # The numbers behind the reason (amounts in whole rupiah, shares in percent as strings).
    numbers: Mapped[dict] = mapped_column(sa.JSON)
    # The objects involved: {"orders": [ids], "products": [...], "suppliers": [...], "users": [...]}.
    links: Mapped[dict] = mapped_column(sa.JSON)
    # For the list's filters.
    opd_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.org_id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)  # found by the latest refresh
    first_found_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_found_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(sa.Text)

    reviewed_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_risk_flags_reviewed_kind", "reviewed_at", "kind"),)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None
