"""The audit trail, read-only, for UKPBJ administrators and auditors (APIP)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, render_template, request, url_for

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.audit import AuditEntry
from pbj.services import audit_trail, orders
from pbj.services.audit_trail import OBJECT_TYPES, TrailFilter
from pbj.web.audit_words import OBJECT_LABELS, action_groups, entry_words, worded
from pbj.web.auth import actor, roles_required
from pbj.web.exports import Column, Table, to_csv
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.i18n import local_datetime
from pbj.web.labels import ACTION_LABELS
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _id_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 12 else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat((request.args.get(name) or "").strip()[:10])
    except ValueError:
        return None  # anything that is not a date: no bound


def _filter() -> tuple[TrailFilter, dict]:
    """The page's filters from the query string; what cannot be read is left out, and
    `args` (the shareable URL's parameters) keeps only what was used."""
    object_type = request.args.get("objek", "")
    object_type = object_type if object_type in OBJECT_TYPES else None
    object_id = _id_arg("id")
    f = TrailFilter(user_id=_id_arg("pengguna"), org_id=_id_arg("organisasi"),
                    action=(request.args.get("aksi") or "").strip()[:60], object_type=object_type,
                    object_id=str(object_id) if object_id is not None else None,
                    date_from=_date_arg("dari"), date_to=_date_arg("sampai"))
    args = {"pengguna": f.user_id, "organisasi": f.org_id, "aksi": f.action, "objek": f.object_type,
            "id": f.object_id, "dari": f.date_from and f.date_from.isoformat(),
            "sampai": f.date_to and f.date_to.isoformat()}
    return f, {k: v for k, v in args.items() if v}


def _trail_page(status: int = 200, form: EmptyForm | None = None):
    f, args = _filter()
    page = paginate(audit_trail.entries_query(f), page_arg(request.args.get("hal")), 100)
    viewer = actor()
    rows = worded(page.items, viewer)
    people = db.session.scalars(sa.select(User).order_by(User.name)).all()
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    last = audit_trail.last_verification()
    return render_template("audit/trail.html", page=page, rows=rows, f=f, args=args, people=people, orgs=orgs,
                           groups=action_groups(), action_codes=set(ACTION_LABELS), object_types=[(t, OBJECT_LABELS[t]) for t in OBJECT_TYPES],
                           last=last, last_words=entry_words(last, audit_trail.actors_of([last]), viewer)
                           if last else None, verify_form=form or EmptyForm(formdata=None)), status


@bp.get("/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def trail():
    return _trail_page()


@bp.get("/ekspor.csv")
@roles_required(Role.ADMIN, Role.AUDITOR)
def export():
    """The filtered entries, newest first, as the page words them (at most MAX_ENTRIES_CSV)."""
    f, _args = _filter()
    entries = db.session.scalars(audit_trail.entries_query(f).limit(audit_trail.MAX_ENTRIES_CSV)).all()
    users = audit_trail.actors_of(entries)
    viewer = actor()
    table = Table("jejak-audit", _("Audit trail"), [
        Column(_("Number")), Column(_("Time (%(zone)s)", zone="WIB")), Column(_("Who")),
        Column(_("Role and organisation")), Column(_("Action")), Column(_("Action code")), Column(_("Object")),
        Column(_("Details")), Column(_("IP address"))])
    for e in entries:
        w = entry_words(e, users, viewer)
        table.rows.append([str(e.id), local_datetime(e.occurred_at), w.who, w.who_detail, w.what, e.action,
                           w.object_text, "; ".join(f"{k}: {v}" for k, v, _link in w.details), e.ip_address])
    return Response(to_csv(table), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="jejak-audit.csv"'})


@bp.post("/periksa")
@roles_required(Role.ADMIN, Role.AUDITOR)
def verify():
    """Check the hash chain now; the result is recorded in the trail and shown on top."""
    form = EmptyForm()

    def check():
        return audit_trail.verify(actor(), utcnow(), ip_address=request.remote_addr)

    return submit_form(form, check, success=lambda report: _("The chain is intact.") if report.ok
                       else _("The chain is broken: see the result at the top of the page."),
                       redirect_to=url_for("audit.trail"), page=lambda status: _trail_page(status, form))


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


@bp.get("/pesanan/<int:order_id>")
@roles_required(Role.ADMIN, Role.AUDITOR)
def case_file(order_id: int):
    """One printable page an inspector attaches to a finding: the order, its documents with
    their fingerprints, the negotiation, the preference ground, the BASTs, the payment, the
    risk flags that name it and every audit entry."""
    from pbj.models.orders import Order
    from pbj.services import documents
    from pbj.web.auth import get_or_404

    from pbj.blueprints.oversight.reasons import describe, kind_label
    from pbj.services import flags

    order = get_or_404(Order, order_id)
    entries = audit_trail.entries_query(TrailFilter(object_type="orders", object_id=str(order.id))).order_by(None)
    timeline = db.session.scalars(entries.order_by(AuditEntry.id)).all()
    return render_template("audit/case_file.html", order=order, issued=documents.issued_all(order),
                           rows=worded(timeline, actor()),
                           flags=[(flag, kind_label(flag.kind), describe(flag)) for flag in flags.for_order(order)],
                           tax=orders.tax_breakdown(order))
