"""Risk flags for auditors (APIP) and UKPBJ administrators: the list, one flag, its review."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from pbj.blueprints.oversight.forms import ReviewForm
from pbj.blueprints.oversight.reasons import describe, kind_label, number_rows
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Organisation, Role, User
from pbj.models.catalogue import Product
from pbj.models.flags import FlagKind, RiskFlag
from pbj.models.orders import Order
from pbj.services import flags
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import EmptyForm, submit_form
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("oversight", __name__, url_prefix="/pengawasan")


@bp.context_processor
def _helpers():
    return {"describe": describe, "kind_label": kind_label, "number_rows": number_rows}


def _id_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    return int(raw) if raw.isdecimal() and len(raw) < 12 else None


@bp.get("/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def index():
    kinds = {k.value: k for k in FlagKind}
    kind = kinds.get(request.args.get("jenis") or "")
    reviewed = {"sudah": True, "belum": False}.get(request.args.get("tinjau") or "")
    opd_id, supplier_id = _id_arg("opd"), _id_arg("penyedia")
    page = paginate(flags.list_query(kind, reviewed, opd_id, supplier_id), page_arg(request.args.get("hal")), 50)
    opds, suppliers = flags.opds_and_suppliers()
    args = {k: v for k, v in {"jenis": kind.value if kind else None, "tinjau": request.args.get("tinjau")
                              if reviewed is not None else None, "opd": opd_id, "penyedia": supplier_id}.items() if v}
    return render_template("oversight/index.html", page=page, counts=flags.counts_by_kind(), kinds=list(FlagKind),
                           kind=kind, reviewed=reviewed, opd_id=opd_id, supplier_id=supplier_id, opds=opds,
                           suppliers=suppliers, args=args, refresh_form=EmptyForm(formdata=None))


def _flag_page(flag: RiskFlag, status: int = 200, form: ReviewForm | None = None):
    links = flag.links or {}

    def named(model, ids, *cols):
        return db.session.execute(sa.select(*cols).where(model.id.in_(ids or [])).order_by(model.id)).all()

    orders = named(Order, links.get("orders"), Order.id, Order.sp_number)
    products = named(Product, links.get("products"), Product.id, Product.name)
    suppliers = named(Organisation, links.get("suppliers"), Organisation.id, Organisation.name)
    users = db.session.execute(sa.select(User.id, User.name, User.role, Organisation.name.label("org"))
                               .join(Organisation, Organisation.id == User.org_id)
                               .where(User.id.in_(links.get("users") or [])).order_by(User.id)).all()
    return render_template("oversight/flag.html", flag=flag, orders=orders, products=products, suppliers=suppliers,
                           users=users, form=form or ReviewForm(formdata=None),
                           can_review=actor().role == Role.AUDITOR), status


@bp.get("/<int:flag_id>")
@roles_required(Role.ADMIN, Role.AUDITOR)
def flag(flag_id: int):
    return _flag_page(get_or_404(RiskFlag, flag_id))


@bp.post("/<int:flag_id>/tinjau")
@roles_required(Role.AUDITOR)
def review(flag_id: int):
    risk = get_or_404(RiskFlag, flag_id)
    form = ReviewForm()
    return submit_form(form, lambda: flags.review(risk, actor(), form.note.data, utcnow()),
                       success=_("The flag is marked reviewed with your note."),
                       redirect_to=url_for("oversight.flag", flag_id=risk.id),
                       page=lambda status: _flag_page(risk, status, form))


@bp.post("/segarkan")
@roles_required(Role.ADMIN, Role.AUDITOR)
def refresh():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("oversight.index"), 303)
    counts = flags.refresh(utcnow(), city_today())
    db.session.commit()
    flash(_("Flags refreshed: %(num)d found.", num=sum(counts.values())))
    return redirect(url_for("oversight.index"), 303)
