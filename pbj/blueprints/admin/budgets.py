"""OPD goods/services budgets per year (/admin/anggaran): the denominator of the UMK
share on the meter. Admins enter one OPD's budget, or upload a CSV file of
`kode_opd;tahun;anggaran` (pbj.services.budgets, all or nothing)."""
from __future__ import annotations

from flask import request, url_for

from pbj.blueprints.admin.forms import BudgetForm, BudgetImportForm
from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.messages import gettext as _
from pbj.models.accounts import Organisation, OrgKind
from pbj.services import budgets as budget_service
from pbj.services.errors import DomainError
from pbj.web.auth import actor
from pbj.web.forms import submit_form, submit_import
from pbj.web.htmx import render


def _year() -> int:
    text = request.args.get("tahun", "")
    return int(text) if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100 else city_today().year


def _choices(form: BudgetForm, opds) -> None:
    form.opd_id.choices = [("", _("Choose an OPD"))] + [(str(o.id), o.name) for o in opds]


def _page(year: int, status: int = 200, form: BudgetForm | None = None, import_form: BudgetImportForm | None = None,
          bad_rows: list | None = None):
    opds = budget_service.opds()
    form = form or BudgetForm(formdata=None, data={"year": str(year)})
    _choices(form, opds)
    years = sorted({city_today().year - 1, city_today().year, city_today().year + 1, year}, reverse=True)
    return render("admin/budgets.html", year=year, years=years, opds=opds, amounts=budget_service.for_year(year),
                  form=form, import_form=import_form or BudgetImportForm(formdata=None), bad_rows=bad_rows or [],
                  http_status=status)


def budgets():
    return _page(_year())


def set_budget():
    form = BudgetForm()
    year = _year()
    _choices(form, budget_service.opds())

    def save():
        opd = db.session.get(Organisation, int(form.opd_id.data)) if (form.opd_id.data or "").isdigit() else None
        if opd is None or opd.kind is not OrgKind.OPD:
            raise DomainError(_("Choose an OPD."), field="opd_id")
        return budget_service.set_budget(actor(), opd, form.year.data, form.amount.data, utcnow())

    return submit_form(form, save,
                       success=lambda b: _("The %(year)s budget of %(opd)s has been saved.", year=b.year,
                                           opd=b.opd.name),
                       redirect_to=lambda b: url_for("admin.budgets", tahun=b.year),
                       page=lambda status: _page(year, status, form=form))


def import_budgets():
    form = BudgetImportForm()
    year = _year()
    return submit_import(
        form, lambda: budget_service.import_csv(actor(), form.file.data.read(budget_service.CSV_MAX_BYTES + 1),
                                                utcnow()),
        redirect_to=url_for("admin.budgets", tahun=year),
        page=lambda status, bad_rows: _page(year, status, import_form=form, bad_rows=bad_rows))


def register(bp) -> None:
    bp.add_url_rule("/anggaran", view_func=budgets, methods=["GET"])
    bp.add_url_rule("/anggaran", endpoint="set_budget", view_func=set_budget, methods=["POST"])
    bp.add_url_rule("/anggaran/impor", view_func=import_budgets, methods=["POST"])
