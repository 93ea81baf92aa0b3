"""Writing and verifying the hash-chained audit trail."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.audit import GENESIS_HASH, AuditEntry

# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_PG_AUDIT_LOCK = 727_001


def record(
    action: str,
    actor: User | None = None,
    obj: object | None = None,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    ip_address: str | None = None,
    actor_label: str | None = None,
    at: datetime | None = None,
    **detail,
) -> AuditEntry:
    """Append one entry to the audit trail (flushed, not committed).

    The caller's transaction holds the chain's lock until it commits, so
    concurrent writers line up: SQLite by BEGIN IMMEDIATE, PostgreSQL by an
    advisory transaction lock.
    """
    # Callers may hand over Flask-Login's `current_user` proxy; record the user itself.
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    obj = getattr(obj, "_get_current_object", lambda: obj)()
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else _primary_key(obj)
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Write the caller's pending changes first: their rows are locked before the
        # chain's lock, never while holding it (a sanction updating a supplier row that
        # an approval holds FOR SHARE, while the approval waits for this lock, deadlocked).
        session.flush()
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    last = session.execute(
        sa.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        occurred_at=at or utcnow(),  # `at`: the time the service acted on (demo data replays a year)
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else actor_label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str),
        ip_address=ip_address,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = entry.compute_hash()
    session.add(entry)
    session.flush()
    return entry


def _primary_key(obj) -> object:
    for name in ("id", "org_id"):
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


@dataclass
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the trail in id order; report the first entry whose link or hash is wrong."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked)
        for entry in rows:
            if entry.id != expected_id:
                return ChainReport(checked, expected_id, "missing entry")
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.id, "link to previous entry does not match")
            if entry.compute_hash() != entry.hash:
                return ChainReport(checked, entry.id, "content does not match its hash")
            expected_prev = entry.hash
            expected_id += 1
            checked += 1
            last_id = entry.id
        db.session.expunge_all()


def entries_for(object_type: str, object_id: object, last: int | None = None) -> list[AuditEntry]:
    """An object's entries, oldest first; only the `last` ones when given (an account's
    logins would otherwise all be read to show a page's worth)."""
    newest = (sa.select(AuditEntry)
              .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
              .order_by(AuditEntry.id.desc()).limit(last))
    return list(reversed(db.session.scalars(newest).all()))
