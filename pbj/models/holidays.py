"""Days off that are not weekends: national holidays, cuti bersama and regional days.

Working days (pbj/services/workdays.py) skip these and every Saturday and Sunday.
Admins keep them per year; one row per date.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.types import enum_column


class HolidayKind(enum.Enum):
    NATIONAL = "national"          # hari libur nasional (the SKB's list)
    CUTI_BERSAMA = "cuti_bersama"  # collective leave set by the same joint decree
    REGIONAL = "regional"          # a day off the city or province declares


class Holiday(db.Model):
    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[HolidayKind] = mapped_column(enum_column(HolidayKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Holiday {self.day} {self.kind.value}>"
