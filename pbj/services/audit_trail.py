"""Reading the audit trail: filters for auditors, the actors behind entries, and the
last check of the hash chain (itself an audit entry, so it needs no table of its own
and cannot be changed afterwards)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from pbj.clock import city_zone
from pbj.extensions import db
from pbj.models.accounts import User
from pbj.models.audit import AuditEntry
from pbj.services import audit

VERIFIED = "audit.verified"
# The parts of the application an action belongs to: its name up to the first dot.
AREAS = ("auth", "user", "org", "supplier", "product", "category", "rup", "budget", "holiday", "order", "audit")
# Objects one may filter on: the tables entries name.
OBJECT_TYPES = ("orders", "products", "suppliers", "users", "organisations", "rup_packages", "holidays",
                "categories", "supplier_documents")
MAX_ENTRIES_CSV = 50_000


@dataclass(frozen=True)
class TrailFilter:
    user_id: int | None = None
    org_id: int | None = None
    action: str = ""  # an exact action or an area ("order." ): entries whose action starts with it
    object_type: str | None = None
    object_id: str | None = None
    date_from: date | None = None  # city dates, both ends included
    date_to: date | None = None


def _utc_start(day: date) -> datetime:
    local = datetime.combine(day, time.min).replace(tzinfo=city_zone())
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def entries_query(f: TrailFilter) -> sa.Select:
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if f.user_id is not None:
        query = query.where(AuditEntry.actor_id == f.user_id)
    if f.org_id is not None:
        query = query.where(AuditEntry.actor_id.in_(sa.select(User.id).where(User.org_id == f.org_id)))
    if f.action:
        query = query.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.object_type:
        query = query.where(AuditEntry.object_type == f.object_type)
    if f.object_id:
        query = query.where(AuditEntry.object_id == f.object_id)
    if f.date_from is not None:
        query = query.where(AuditEntry.occurred_at >= _utc_start(f.date_from))
    if f.date_to is not None:
        query = query.where(AuditEntry.occurred_at < _utc_start(f.date_to + timedelta(days=1)))
    return query


def actors_of(entries) -> dict[int, User]:
    """The users behind a page of entries, with their organisations, in one query."""
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    if not ids:
        return {}
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids)).options(joinedload(User.org))).all()
    return {u.id: u for u in users}


def verify(actor: User | None, now: datetime, ip_address: str | None = None) -> audit.ChainReport:
    """Check the chain and record the result in it (from the page's button or the command)."""
    report = audit.verify_chain()
    audit.record(VERIFIED, actor, object_type="audit_entries", at=now, ip_address=ip_address,
                 actor_label=None if actor else "system", checked=report.checked, intact=report.ok,
                 first_broken_id=report.first_broken_id, problem=report.problem)
    return report


def last_verification() -> AuditEntry | None:
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == VERIFIED)
                             .order_by(AuditEntry.id.desc()).limit(1))
