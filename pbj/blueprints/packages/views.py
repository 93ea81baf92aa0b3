"""The RUP register (/paket): an OPD's packages, the CSV import, and each package's orders.

Admins (UKPBJ) manage every OPD's register and auditors read them all; the PP and
PPK of an OPD manage its own, and its bendahara reads it (`services.packages`).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request, url_for
from flask_login import login_required

from pbj.blueprints.packages.forms import ImportForm, PackageForm
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Organisation, OrgKind, Role
from pbj.models.orders import DEAD_STATUSES, BudgetSource
from pbj.models.packages import ProcurementMethod, RupPackage
from pbj.services import packages
from pbj.services.packages import ImportRefused
from pbj.web.auth import actor, get_or_404, roles_required
from pbj.web.forms import submit_form
from pbj.web.htmx import render
from pbj.web.pagination import page_arg, paginate

bp = Blueprint("packages", __name__, url_prefix="/paket")

VIEWERS = (Role.ADMIN, Role.AUDITOR, Role.PP, Role.PPK, Role.BENDAHARA)
MANAGERS = (Role.ADMIN, Role.PP, Role.PPK)


def _opds() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPD)
                                   .order_by(Organisation.name)))


def _package_or_404(package_id: int) -> RupPackage:
    package = get_or_404(RupPackage, package_id)
    if not packages.can_view(actor(), package):
        abort(404)
    return package


def _opd_arg() -> int | None:
    raw = (request.args.get("opd") or "").strip()
    return int(raw) if raw.isdecimal() and len(raw) < 12 else None


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    user = actor()
    every = packages.sees_every_opd(user)
    opd_id = _opd_arg() if every else user.org_id
    words = (request.args.get("q") or "").strip()[:100]
    raw_year = (request.args.get("tahun") or "").strip()
    year = int(raw_year) if raw_year.isdecimal() and len(raw_year) == 4 else None
    page = paginate(packages.register_query(opd_id, words, year), page_arg(request.args.get("hal")), 50)
    totals = packages.live_totals([p.id for p in page.items])
    args = {k: v for k, v in {"opd": opd_id if every else None, "q": words, "tahun": year}.items() if v}
    return render("packages/index.html", page=page, totals=totals, opds=_opds() if every else [],
                  opd_id=opd_id, words=words, year=year, args=args, today=city_today(),
                  may_manage=user.role in MANAGERS)


def _form_choices(form) -> None:
    user = actor()
    if user.role is Role.ADMIN:
        form.opd_id.choices = [(o.id, o.name) for o in _opds()]
    else:
        form.opd_id.choices = [(user.org_id, user.org.name)]
        if form.opd_id.data is None:
            form.opd_id.data = user.org_id


def _chosen_opd(form) -> Organisation:
    return db.session.get(Organisation, form.opd_id.data)


def _data(form, rup_code: str) -> packages.PackageData:
    return packages.PackageData(
        rup_code=rup_code, name=form.name.data or "", pagu=form.pagu.data,
        method=ProcurementMethod(form.method.data), funding_source=BudgetSource(form.funding_source.data),
        budget_year=form.budget_year.data, satker=form.satker.data or "", description=form.description.data or "")


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    form = PackageForm() if request.method == "POST" else PackageForm(formdata=None, data={
        "budget_year": city_today().year, "method": ProcurementMethod.E_PURCHASING.value})
    _form_choices(form)

    def page(status: int = 200):
        return render("packages/edit.html", form=form, package=None, http_status=status)

    if request.method == "GET":
        return page()
    return submit_form(form, lambda: packages.save_package(actor(), _chosen_opd(form),
                                                           _data(form, form.rup_code.data or ""), utcnow()),
                       success=lambda p: _("Package %(code)s is in the register.", code=p.rup_code),
                       redirect_to=lambda p: url_for("packages.detail", package_id=p.id), page=page)


@bp.route("/<int:package_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(package_id: int):
    package = get_or_404(RupPackage, package_id)
    if not packages.can_manage(actor(), package.opd_id):
        abort(404)  # another OPD's package, or a reader's: no such page for them
    if request.method == "POST":
        form = PackageForm()
    else:
        form = PackageForm(formdata=None, obj=package)
        form.method.data, form.funding_source.data = package.method.value, package.funding_source.value
    del form.rup_code  # the Kode RUP of a package does not change: its orders carry it
    form.opd_id.choices = [(package.opd_id, package.opd.name)]
    form.opd_id.data = package.opd_id

    def page(status: int = 200):
        return render("packages/edit.html", form=form, package=package, http_status=status)

    if request.method == "GET":
        return page()
    return submit_form(form, lambda: packages.save_package(actor(), package.opd, _data(form, package.rup_code),
                                                           utcnow(), package=package),
                       success=_("The package is saved."),
                       redirect_to=url_for("packages.detail", package_id=package.id), page=page)


@bp.route("/impor", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_csv():
    form = ImportForm() if request.method == "POST" else ImportForm(formdata=None)
    _form_choices(form)
    problems: list = []

    def page(status: int = 200):
        return render("packages/import.html", form=form, problems=problems, http_status=status,
                      max_rows=current_app.config["RUP_IMPORT_MAX_ROWS"])

    if request.method == "GET":
        return page()

    def run():
        upload = form.file.data
        raw = upload.read(current_app.config["RUP_IMPORT_MAX_BYTES"] + 1)
        try:
            return packages.import_csv(actor(), _chosen_opd(form), raw, utcnow())
        except ImportRefused as refusal:
            problems.extend(refusal.problems)
            raise

    def done(result) -> str:
        return _("Imported: %(added)s packages added, %(updated)s updated.", added=len(result.added),
                 updated=len(result.updated))

    return submit_form(form, run, success=done,
                       redirect_to=url_for("packages.index", **({"opd": form.opd_id.data}
                                                                if actor().role is Role.ADMIN else {})),
                       page=page)


@bp.get("/<int:package_id>")
@login_required
def detail(package_id: int):
    package = _package_or_404(package_id)
    found = packages.package_orders(package)
    live = [o for o in found if o.status not in DEAD_STATUSES]
    ended = [o for o in found if o.status in DEAD_STATUSES]
    total = sum(o.total for o in live)
    limit = current_app.config["PP_ORDER_LIMIT_RUPIAH"]
    return render("packages/detail.html", package=package, live=live, ended=ended, total=total,
                  pagu_left=max(0, package.pagu - total), pp_limit=limit, pp_left=max(0, limit - total),
                  why_not=packages.orderable(package, package.opd, city_today()),
                  may_manage=packages.can_manage(actor(), package.opd_id))
