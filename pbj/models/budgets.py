"""An OPD's goods/services budget per year: the denominator of the UMK share.

Perpres 16/2018 as amended by Perpres 12/2021 Art. 65 asks each OPD to spend at least
40 % of its goods/services budget on UMK and cooperative products. Admins enter the
budget from the regional budget (APBD belanja barang dan jasa), one amount per OPD and
year (pbj.services.budgets); the meter (pbj.services.spending) divides by it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Organisation, User


class OpdBudget(db.Model):
    __tablename__ = "opd_budgets"

    opd_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # whole rupiah
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    opd: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    def __repr__(self) -> str:
        return f"<OpdBudget {self.opd_id} {self.year} {self.amount}>"
