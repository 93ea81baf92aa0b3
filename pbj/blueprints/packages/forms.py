"""Forms of the RUP register: one package by hand, and the CSV import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pbj.messages import lazy_gettext as _l
from pbj.models.orders import BudgetSource
from pbj.models.packages import ProcurementMethod
from pbj.web.fields import IdChoiceField, RupiahField, WholeNumberField
from pbj.web.labels import BUDGET_SOURCE_LABELS, METHOD_LABELS


class PackageForm(FlaskForm):
    opd_id = IdChoiceField(_l("OPD"), message=_l("Choose an OPD."))
    rup_code = StringField(_l("Kode RUP"), validators=[DataRequired(_l("Enter the Kode RUP from SIRUP.")),
                                                       Length(max=20)])
    name = StringField(_l("Package name"), validators=[DataRequired(_l("Enter the package name.")),
                                                       Length(max=300)])
    pagu = RupiahField(_l("Pagu (ceiling)"), minimum=1, required_message=_l("Enter the pagu."),
                       range_message=_l("Enter the pagu in whole rupiah, more than zero."))
    method = SelectField(_l("Procurement method"), choices=[(m.value, METHOD_LABELS[m]) for m in ProcurementMethod])
    funding_source = SelectField(_l("Funding source"),
                                 choices=[(s.value, BUDGET_SOURCE_LABELS[s]) for s in BudgetSource])
    budget_year = WholeNumberField(_l("Budget year"), minimum=2000, maximum=2100,
                                   range_message=_l("Enter the budget year, for example 2026."),
                                   required_message=_l("Enter the budget year, for example 2026."))
    satker = StringField(_l("Work unit (satker, optional)"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})


class ImportForm(FlaskForm):
    opd_id = IdChoiceField(_l("OPD"), message=_l("Choose an OPD."))
    file = FileField(_l("CSV file exported from SIRUP"), validators=[FileRequired(_l("Choose a file."))])
