"""Holidays and cuti bersama (/admin/hari-libur): the days working-day deadlines skip.

Admins list them per year, add, change and remove one, or upload a CSV file
(`tanggal;nama;jenis`, the same reader as `flask holidays import`).
"""
from __future__ import annotations

from flask import request, url_for

from pbj.blueprints.admin.forms import HolidayForm, HolidayImportForm
from pbj.clock import city_today, utcnow
from pbj.messages import gettext as _
from pbj.models.holidays import Holiday, HolidayKind
from pbj.services import holidays as holiday_service
from pbj.web.auth import actor, get_or_404
from pbj.web.forms import EmptyForm, submit_form, submit_import
from pbj.web.htmx import render


def _year() -> int:
    year = request.args.get("tahun", type=int)
    return year if year is not None and 1970 <= year <= 2100 else city_today().year


def _list_page(year: int, status: int = 200, form: HolidayForm | None = None,
               import_form: HolidayImportForm | None = None, bad_rows: list | None = None):
    listed = holiday_service.for_year(year)
    years = sorted({*holiday_service.years(), city_today().year, year}, reverse=True)
    return render("admin/holidays.html", year=year, years=years, holidays=listed,
                  form=form or HolidayForm(formdata=None, data={"kind": HolidayKind.NATIONAL.value}),
                  import_form=import_form or HolidayImportForm(formdata=None), delete_form=EmptyForm(formdata=None),
                  bad_rows=bad_rows or [], http_status=status)


def holidays():
    return _list_page(_year())


def add_holiday():
    form = HolidayForm()
    year = _year()

    def add():
        return holiday_service.add(actor(), holiday_service.parse_day(form.day.data), form.name.data,
                                   HolidayKind(form.kind.data), utcnow())

    return submit_form(form, add,
                       success=lambda h: _("%(name)s (%(day)s) has been added.", name=h.name,
                                           day=h.day.strftime("%d/%m/%Y")),
                       redirect_to=lambda h: url_for("admin.holidays", tahun=h.day.year),
                       page=lambda status: _list_page(year, status, form=form))


def import_holidays():
    form = HolidayImportForm()
    year = _year()
    return submit_import(
        form, lambda: holiday_service.import_csv(actor(), form.file.data.read(), utcnow()),
        redirect_to=url_for("admin.holidays", tahun=year),
        page=lambda status, bad_rows: _list_page(year, status, import_form=form, bad_rows=bad_rows))


def _edit_page(holiday: Holiday, status: int = 200, form: HolidayForm | None = None):
    form = form or HolidayForm(formdata=None, data={"day": holiday.day.isoformat(), "name": holiday.name,
                                                   "kind": holiday.kind.value})
    return render("admin/holiday.html", holiday=holiday, form=form, http_status=status)


def holiday(holiday_id: int):
    return _edit_page(get_or_404(Holiday, holiday_id))


def change_holiday(holiday_id: int):
    item = get_or_404(Holiday, holiday_id)
    form = HolidayForm()

    def change():
        return holiday_service.change(actor(), item, holiday_service.parse_day(form.day.data), form.name.data,
                                      HolidayKind(form.kind.data), utcnow())

    return submit_form(form, change,
                       success=lambda h: _("%(name)s (%(day)s) has been saved.", name=h.name,
                                           day=h.day.strftime("%d/%m/%Y")),
                       redirect_to=lambda h: url_for("admin.holidays", tahun=h.day.year),
                       page=lambda status: _edit_page(item, status, form=form))


def remove_holiday(holiday_id: int):
    item = get_or_404(Holiday, holiday_id)
    year, name = item.day.year, item.name
    form = EmptyForm()
    return submit_form(form, lambda: holiday_service.remove(actor(), item, utcnow()),
                       success=_("%(name)s has been removed.", name=name),
                       redirect_to=url_for("admin.holidays", tahun=year),
                       page=lambda status: _edit_page(item, status))


def register(bp) -> None:
    bp.add_url_rule("/hari-libur", view_func=holidays, methods=["GET"])
    bp.add_url_rule("/hari-libur", endpoint="add_holiday", view_func=add_holiday, methods=["POST"])
    bp.add_url_rule("/hari-libur/impor", view_func=import_holidays, methods=["POST"])
    bp.add_url_rule("/hari-libur/<int:holiday_id>", view_func=holiday, methods=["GET"])
    bp.add_url_rule("/hari-libur/<int:holiday_id>", endpoint="change_holiday", view_func=change_holiday,
                    methods=["POST"])
    bp.add_url_rule("/hari-libur/<int:holiday_id>/hapus", view_func=remove_holiday, methods=["POST"])
