from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from pbj.blueprints.supplier.forms import RegistrationForm
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import OrgKind, Role
from pbj.models.holidays import HolidayKind
from pbj.models.suppliers import BusinessScale
from pbj.web.fields import required_choice
from pbj.web.labels import HOLIDAY_KIND_LABELS, ORG_KIND_LABELS, ROLE_LABELS, SCALE_LABELS

STAFF_ROLES = [r for r in Role if r is not Role.PENYEDIA]


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejection"), validators=[
        DataRequired(_l("Give a reason the supplier can act on.")), Length(max=2000)])


class SanctionForm(FlaskForm):
    sanction = required_choice(_l("Sanction"), [("suspended", _l("Suspend")), ("blacklisted", _l("Blacklist"))],
                               _l("Choose suspend or blacklist."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the sanction.")), Length(max=2000)])
    until = DateField(_l("Until (date)"), validators=[DataRequired(_l("Enter the end date as YYYY-MM-DD."))])


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    code = StringField(_l("Short code"), validators=[
        Optional(), Length(max=20),
        Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and dashes only, e.g. DISDIK.")),
    ])
    kind = required_choice(_l("Kind"), [(k.value, ORG_KIND_LABELS[k]) for k in (OrgKind.OPD, OrgKind.UKPBJ)],
                           _l("Choose the kind of organisation."))
    address = TextAreaField(_l("Office address (optional)"), validators=[Optional(), Length(max=300)],
                            render_kw={"rows": 2})


class AddressForm(FlaskForm):
    address = TextAreaField(_l("Office address"), validators=[Optional(), Length(max=300)], render_kw={"rows": 2})


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter the e-mail address.")),
        Email(_l("Enter an e-mail address like nama@contoh.go.id."), check_deliverability=False),
        Length(max=254)])
    role = required_choice(_l("Role"), [(r.value, ROLE_LABELS[r]) for r in STAFF_ROLES], _l("Choose the role."))
    org_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    # Officials' NIP (checked by pbj.services.accounts.clean_nip); optional, as on the user's page.
    nip = StringField(_l("NIP (officials: PP, PPK, treasurer; optional)"), validators=[Optional(), Length(max=40)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_LABELS[r]) for r in STAFF_ROLES])


class AssistedRegistrationForm(RegistrationForm):
    """The supplier's own registration form, filled in by the UKPBJ: the same fields and
    checks, less the password (the contact person chooses it through the invitation)."""

    password = None
    confirm = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_name.label.text = _l("Contact person (first user)")
        self.email.label.text = _l("Contact person's e-mail address")


class VerifyForm(FlaskForm):
    scale = SelectField(_l("Business size as the NIB states it"),
                        choices=[("", _l("Choose…"))] + [(s.value, SCALE_LABELS[s]) for s in BusinessScale])


class HolidayForm(FlaskForm):
    # Text, not a date input: admins type "25 Desember 2026" as well as 2026-12-25;
    # the service reads it (pbj.services.holidays.parse_day).
    day = StringField(_l("Date"), validators=[DataRequired(_l("Enter the date.")), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[(k.value, HOLIDAY_KIND_LABELS[k]) for k in HolidayKind])


class HolidayImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     render_kw={"accept": ".csv,text/csv,text/plain"})


class BudgetForm(FlaskForm):
    # The OPD choices are filled by the view (the active OPDs); the service reads the amount.
    opd_id = SelectField(_l("OPD"), coerce=str, validate_choice=False)
    year = StringField(_l("Budget year"), validators=[DataRequired(_l("Enter the budget year.")), Length(max=4)])
    amount = StringField(_l("Goods/services budget (Rp)"), validators=[
        DataRequired(_l("Enter the budget in rupiah.")), Length(max=40)])


class BudgetImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     render_kw={"accept": ".csv,text/csv,text/plain"})


class ParticularsForm(FlaskForm):
    """An official's particulars from the personnel records, for the conflict-of-interest
    check; checked by the service."""
    phone = StringField(_l("Telephone"))
    address = TextAreaField(_l("Home address"))
    npwp = StringField(_l("NPWP"))
    bank_account = StringField(_l("Bank account number"))
