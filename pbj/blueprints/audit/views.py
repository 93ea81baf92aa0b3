"""The audit trail, read-only, for UKPBJ administrators and auditors (APIP)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role
from pbj.models.audit import AuditEntry
from pbj.services import orders
from pbj.web.auth import roles_required
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def trail():
    action = (request.args.get("aksi") or "").strip()[:60]
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    page = paginate(query, page_arg(request.args.get("hal")), 100)
    return render_template("audit/trail.html", page=page, history=page.items, action=action)


@bp.get("/turun-tingkat")
@roles_required(Role.ADMIN, Role.AUDITOR)
def down_tier():
    """Every order that went down a domestic-preference tier, by OPD and ground."""
    raw = (request.args.get("opd") or "").strip()
    opd_id = int(raw) if raw.isdecimal() and len(raw) < 12 else None
    ground = (request.args.get("alasan") or "").strip()
    grounds = [*orders.ground_codes(), orders.NO_GROUND]
    if ground not in grounds:
        ground = ""
    page = paginate(orders.down_tier_query(opd_id, ground or None), page_arg(request.args.get("hal")), 50)
    opds = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPD)
                              .order_by(Organisation.name)).all()
    args = {k: v for k, v in {"opd": opd_id, "alasan": ground}.items() if v}
    return render_template("audit/down_tier.html", page=page, opds=opds, opd_id=opd_id, ground=ground,
                           grounds=grounds, args=args)
