"""The audit trail: append-only, each entry chained to the previous by hash."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from pbj.clock import utcnow
from pbj.extensions import db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    # Assigned by the service as previous id + 1 under a lock, so the chain
    # order is the id order.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(40))
    detail: Mapped[str] = mapped_column(sa.Text, default="{}")  # canonical JSON
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.id,
                self.occurred_at.isoformat(timespec="microseconds"),
                self.actor_id,
                self.actor_label,
                self.action,
                self.object_type,
                self.object_id,
                self.detail,
                self.ip_address,
                self.prev_hash,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def detail_data(self) -> dict:
        return json.loads(self.detail or "{}")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise RuntimeError(f"audit entry {target.id} is append-only")
