"""Counted attempts (failed logins, wrong current passwords, reset requests).

Rows in the SQL store of `pbj.services.throttle`, shared by every worker of the
embedded default; with `REDIS_URL` the counts live in Redis and this table stays empty.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbj.extensions import db


class ThrottleHit(db.Model):
    __tablename__ = "throttle_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<scope>:<digest>": the e-mail address and client address are hashed, never stored.
    key: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime]
    # When the hit no longer counts under its limit; rows past it are pruned on write.
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (sa.Index("ix_throttle_hits_key_at", "key", "at"),)
