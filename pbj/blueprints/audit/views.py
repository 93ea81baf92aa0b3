"""The audit trail, read-only, for UKPBJ administrators and auditors (APIP)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
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
