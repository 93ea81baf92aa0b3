"""The public transparency portal: orders with a signed Surat Pesanan, the suppliers who
sold and how quickly each OPD paid. No login; what is shown is decided in
`pbj.services.transparency` (and explained in docs/SECURITY.md)."""
from __future__ import annotations

from flask import Blueprint, abort, request

from pbj.clock import city_today
from pbj.services import transparency
from pbj.web.htmx import render

bp = Blueprint("transparency", __name__, url_prefix="/transparansi")


@bp.get("")
def index():
    filters = transparency.parse_filters(request.args)
    year = city_today().year
    return render("transparency/index.html", fragment="orders", filters=filters,
                  orders=transparency.public_orders(filters), year=year, totals=transparency.city_totals(year),
                  labels=transparency.LABELS, max_page=transparency.MAX_PAGE, **transparency.filter_choices())


@bp.get("/pesanan/<int:order_id>")
def order(order_id: int):
    found = transparency.public_order(order_id)
    if found is None:
        abort(404)  # not an order, or its SP is not signed yet: not public
    return render("transparency/order.html", order=found)


def _year():
    today = city_today()
    year, problems = transparency.parse_year(request.args.get("tahun"), today.year)
    return year, problems, list(range(today.year, today.year - 5, -1))


@bp.get("/penyedia")
def suppliers():
    year, problems, years = _year()
    sort = request.args.get("urut") or "nilai"
    if sort not in transparency.SUPPLIER_SORTS:
        sort = "nilai"
    return render("transparency/suppliers.html", year=year, years=years, problems=problems, sort=sort,
                  rows=transparency.supplier_ranking(year, sort), top=transparency.TOP_SUPPLIERS)


@bp.get("/pembayaran")
def payments():
    year, problems, years = _year()
    return render("transparency/payments.html", year=year, years=years, problems=problems,
                  rows=transparency.payment_timeliness(year))
