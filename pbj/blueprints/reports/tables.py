"""The report tables (pbj.web.exports.Table) built from pbj.services.spending: the page,
its charts, the CSV and the XLSX all read these rows, so they agree to the rupiah."""
from __future__ import annotations

from datetime import date


from pbj.messages import format_date
from pbj.messages import gettext as _
from pbj.services import spending
from pbj.services.spending import Filters
from pbj.web.exports import Column, Table

SHARE_NAMES = {"umk": "UMK", "pdn": "PDN", "tkdn_bmp_40": "TKDN+BMP ≥ 40%", "local": None}


def month_name(month: int) -> str:
    return format_date(date(2000, month, 1), "MMM")


def _share_name(key: str) -> str:
    return SHARE_NAMES[key] or _("Local")


def status_words(status: str | None) -> str:
    return {"green": _("Target met"), "amber": _("Close to the target"), "red": _("Below the target")}.get(
        status or "", "–")


def summary(filters: Filters, rows: list[spending.OpdRow]) -> Table:
    """The city-wide summary: OPDs ranked by their UMK share of catalogue spending."""
    columns = [Column(_("Rank"), "int"), Column(_("OPD")), Column(_("Orders"), "int"),
               Column(_("Committed (SP issued)"), "rupiah"), Column(_("Received (BAST)"), "rupiah"),
               Column(_("Paid"), "rupiah"), Column(_("Goods/services budget"), "rupiah"),
               Column(_("UMK share of the budget"), "percent")]
    columns += [Column(_("%(share)s share of spending", share=_share_name(k)), "percent") for k in spending.SHARES]
    columns.append(Column(_("UMK against the target")))
    table = Table("ringkasan", _("OPDs ranked against the targets"), columns)
    for rank, row in enumerate(rows, start=1):
        f = row.figures
        table.rows.append([rank, row.name, f.orders, f.committed, f.received, f.paid, row.budget,
                           row.umk_of_budget.value, *(m.value for m in row.shares), status_words(row.shares[0].status)])
    return table


def monthly(filters: Filters, cells: dict, names: dict[int, str]) -> Table:
    """The P3DN/UMK realisation per OPD and month, with values and shares, and the total."""
    columns = [Column(_("OPD")), Column(_("Month")), Column(_("Orders"), "int"),
               Column(_("Committed (SP issued)"), "rupiah"), Column(_("Received (BAST)"), "rupiah"),
               Column(_("Paid"), "rupiah")]
    for key in spending.SHARES:
        columns += [Column(_("%(share)s value", share=_share_name(key)), "rupiah"),
                    Column(_("%(share)s share", share=_share_name(key)), "percent")]
    table = Table("bulanan", _("P3DN and UMK realisation per OPD and month"), columns)

    def line(opd: str, month: str, f: spending.Figures) -> list:
        values = [opd, month, f.orders, f.committed, f.received, f.paid]
        for key in spending.SHARES:
            values += [getattr(f, key), f.share(key)]
        return values

    for (opd_id, month) in sorted(cells, key=lambda k: (names.get(k[0], ""), k[1])):
        table.rows.append(line(names.get(opd_id, str(opd_id)), month_name(month), cells[(opd_id, month)]))
    table.rows.append(line(_("Total"), "", spending.total(filters, cells)))
    return table


def suppliers(rows: list[spending.SupplierRow]) -> Table:
    table = Table("penyedia", _("Top suppliers by committed value"),
                  [Column(_("Rank"), "int"), Column(_("Supplier")), Column(_("Orders"), "int"),
                   Column(_("Committed (SP issued)"), "rupiah"), Column(_("Share of the total"), "percent")])
    table.rows = [[i, r.name, r.orders, r.committed, r.share] for i, r in enumerate(rows, start=1)]
    return table


def payments(rows: list[spending.Timeliness]) -> Table:
    table = Table("pembayaran", _("Payment timeliness per OPD"),
                  [Column(_("OPD")), Column(_("Orders paid"), "int"),
                   Column(_("Median days from BAST to payment"), "days"),
                   Column(_("Unpaid past the deadline"), "int"), Column(_("Value unpaid past the deadline"), "rupiah")])
    table.rows = [[r.name, r.paid, r.median_days, r.overdue, r.overdue_value] for r in rows]
    return table
