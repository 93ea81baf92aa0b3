"""The RUP register: an OPD's procurement packages as published in SIRUP.

A package is a Kode RUP: its live orders add up against its ceiling (pagu) and
against the PP limit (Perpres 16/2018 Art. 20(2): a package may not be split).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation
from pbj.models.orders import BudgetSource
from pbj.models.types import enum_column


class ProcurementMethod(enum.Enum):
    """Metode pemilihan as SIRUP names them; only e-purchasing is ordered here."""

    E_PURCHASING = "e_purchasing"
    PENGADAAN_LANGSUNG = "pengadaan_langsung"
    PENUNJUKAN_LANGSUNG = "penunjukan_langsung"
    TENDER = "tender"
    TENDER_CEPAT = "tender_cepat"
    SELEKSI = "seleksi"
    DIKECUALIKAN = "dikecualikan"


class RupPackage(db.Model):
    """One package of an OPD's RUP for a budget year."""

    __tablename__ = "rup_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    opd_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    # The national SIRUP number: unique across the country, so across the register too.
    rup_code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    pagu: Mapped[int] = mapped_column(sa.BigInteger)  # ceiling, whole rupiah
    method: Mapped[ProcurementMethod] = mapped_column(enum_column(ProcurementMethod))
    funding_source: Mapped[BudgetSource] = mapped_column(enum_column(BudgetSource))
    budget_year: Mapped[int]
    satker: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    opd: Mapped[Organisation] = relationship()

    __table_args__ = (
        sa.Index("ix_rup_packages_opd_year", "opd_id", "budget_year"),
        sa.CheckConstraint("pagu > 0", name="pagu_positive"),
    )

    def __repr__(self) -> str:
        return f"<RupPackage {self.rup_code} {self.budget_year}>"
