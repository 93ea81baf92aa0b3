"""Reports (/laporan): catalogue spending per OPD and month against the UMK and
domestic-product targets, top suppliers and payment timeliness, with server-drawn SVG
charts and CSV/XLSX exports of every table. Admins and auditors see every OPD; the
officials of an OPD (PP, PPK, bendahara) their own.

Every filter is a GET parameter (tahun, dari, sampai, opd, kategori), so a report's URL
can be shared. A parameter that cannot be read is ignored and the page says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, abort, request

from pbj.clock import city_today
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Organisation, OrgKind, Role
from pbj.models.catalogue import Category
from pbj.services import spending
from pbj.services.spending import Filters
from pbj.blueprints.reports import tables
from pbj.web import charts
from pbj.web.auth import actor, roles_required
from pbj.web.exports import to_csv, to_xlsx
from pbj.web.htmx import render
from pbj.web.i18n import share

bp = Blueprint("reports", __name__, url_prefix="/laporan")

EVERY_OPD = (Role.ADMIN, Role.AUDITOR)
READERS = (Role.ADMIN, Role.AUDITOR, Role.PP, Role.PPK, Role.BENDAHARA)


@dataclass(frozen=True)
class Choice:
    filters: Filters
    ignored: tuple[str, ...]  # parameter names that could not be read
    own_opd: bool  # the reader sees only their OPD


def _int(name: str, low: int, high: int, ignored: list[str]) -> int | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high:
        return int(text)
    ignored.append(name)
    return None


def _choice() -> Choice:
    ignored: list[str] = []
    year = _int("tahun", 2000, 2100, ignored) or city_today().year
    month_from = _int("dari", 1, 12, ignored) or 1
    month_to = _int("sampai", 1, 12, ignored) or 12
    if month_from > month_to:
        ignored += ["dari", "sampai"]
        month_from, month_to = 1, 12
    user = actor()
    own = user.role not in EVERY_OPD
    opd_id = _int("opd", 1, 2 ** 31 - 1, ignored)
    if own:
        opd_id = user.org_id  # an OPD official's reports are their OPD's, whatever the URL says
    elif opd_id is not None and db.session.scalar(sa.select(Organisation.id).where(
            Organisation.id == opd_id, Organisation.kind == OrgKind.OPD)) is None:
        ignored.append("opd")
        opd_id = None
    category_id = _int("kategori", 1, 2 ** 31 - 1, ignored)
    if category_id is not None and db.session.get(Category, category_id) is None:
        ignored.append("kategori")
        category_id = None
    return Choice(Filters(year, month_from, month_to, opd_id, category_id), tuple(ignored), own)


def _args(filters: Filters) -> dict:
    """The filters as GET parameters (what links and exports carry)."""
    args = {"tahun": filters.year}
    if (filters.month_from, filters.month_to) != (1, 12):
        args.update(dari=filters.month_from, sampai=filters.month_to)
    if filters.opd_id is not None:
        args["opd"] = filters.opd_id
    if filters.category_id is not None:
        args["kategori"] = filters.category_id
    return args


def _page(template: str, choice: Choice, **context):
    f = choice.filters
    opds = [] if choice.own_opd else db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.OPD)
        .order_by(Organisation.name)).all()
    categories = db.session.execute(sa.select(Category.id, Category.name).where(Category.parent_id.is_(None))
                                    .order_by(Category.position, Category.name)).all()
    years = sorted({*spending.years(), city_today().year, f.year}, reverse=True)
    return render(template, filters=f, args=_args(f), ignored=choice.ignored, own_opd=choice.own_opd,
                  opds=opds, categories=categories, years=years, months=[(m, tables.month_name(m)) for m in range(1, 13)],
                  opd_name=db.session.get(Organisation, f.opd_id).name if f.opd_id else None, **context)


@bp.get("/")
@roles_required(*READERS)
def index():
    choice = _choice()
    f = choice.filters
    cells = spending.by_opd_month(f)
    rows = spending.ranking(f, cells)
    per_month = spending.by_month(f, cells)
    months = list(range(f.month_from, f.month_to + 1))
    totals = spending.total(f, cells)
    target = spending.targets()["umk"]
    ranked = [r for r in rows if r.figures.committed]
    umk_chart = charts.bars(
        _("UMK share of catalogue spending per OPD, %(year)s", year=f.year),
        _("Horizontal bars, one per OPD with spending; the dashed line is the %(target)s%% target. "
          "The table beside the chart has the same numbers.", target=target),
        [r.name for r in ranked], [r.shares[0].value for r in ranked], [share(r.shares[0].value) for r in ranked],
        target=target, target_label=_("target %(target)s%%", target=target), maximum=100)
    series = [charts.Series(_("Committed"), [per_month.get(m, spending.Figures()).committed for m in months]),
              charts.Series(_("Received"), [per_month.get(m, spending.Figures()).received for m in months]),
              charts.Series(_("Paid"), [per_month.get(m, spending.Figures()).paid for m in months])]
    month_chart = charts.lines(_("Catalogue spending per month, %(year)s", year=f.year),
                               _("Three lines over the months: committed, received and paid, in rupiah. "
                                 "The table beside the chart has the same numbers."),
                               [tables.month_name(m) for m in months], series)
    month_rows = [(tables.month_name(m), *(s.values[i] for s in series)) for i, m in enumerate(months)]
    return _page("reports/index.html", choice, totals=totals, summary=tables.summary(f, rows), target=target,
                 umk_chart=umk_chart, ranked=ranked, month_chart=month_chart, month_rows=month_rows)


@bp.get("/bulanan")
@roles_required(*READERS)
def monthly():
    choice = _choice()
    return _page("reports/table.html", choice, table=_monthly(choice.filters), view="reports.monthly")


@bp.get("/penyedia")
@roles_required(*READERS)
def suppliers():
    choice = _choice()
    return _page("reports/table.html", choice, table=tables.suppliers(spending.top_suppliers(choice.filters)),
                 view="reports.suppliers")


@bp.get("/pembayaran")
@roles_required(*READERS)
def payments():
    choice = _choice()
    return _page("reports/table.html", choice, view="reports.payments",
                 table=tables.payments(spending.payment_timeliness(choice.filters, city_today())))


def _monthly(f: Filters):
    cells = spending.by_opd_month(f)
    names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({opd for opd, _month in cells}))).tuples().all())
    return tables.monthly(f, cells, names)


EXPORTS = {
    "ringkasan": lambda f: tables.summary(f, spending.ranking(f)),
    "bulanan": _monthly,
    "penyedia": lambda f: tables.suppliers(spending.top_suppliers(f)),
    "pembayaran": lambda f: tables.payments(spending.payment_timeliness(f, city_today())),
}


@bp.get("/unduh")
@roles_required(*READERS)
def export():
    """?tabel=ringkasan|bulanan|penyedia|pembayaran&format=csv|xlsx and the page's filters."""
    build, kind = EXPORTS.get(request.args.get("tabel", "")), request.args.get("format", "")
    if build is None or kind not in ("csv", "xlsx"):
        abort(404)
    filters = _choice().filters
    table = build(filters)
    name = f"laporan-{table.key}-{filters.year}.{kind}"
    if kind == "csv":
        body, mimetype = to_csv(table), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(table), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})

