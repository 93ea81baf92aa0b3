from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from pbj.blueprints.listings.forms import OptionalDateField
from pbj.messages import lazy_gettext as _l
from pbj.models.suppliers import BusinessScale, DocumentKind
from pbj.web.fields import required_choice
from pbj.web.labels import DOCUMENT_LABELS, SCALE_LABELS

class RegistrationForm(FlaskForm):
    business_name = StringField(_l("Business name"), validators=[DataRequired(_l("Enter the business name.")), Length(max=200)])
    nib = StringField(_l("NIB"), validators=[DataRequired(_l("Enter the NIB.")), Length(max=30)])
    npwp = StringField(_l("NPWP"), validators=[DataRequired(_l("Enter the NPWP.")), Length(max=30)])
    scale = required_choice(_l("Business scale"), [(s.value, SCALE_LABELS[s]) for s in BusinessScale],
                            _l("Choose the business scale."))
    is_cooperative = BooleanField(_l("The business is a cooperative (koperasi)"))
    is_pkp = BooleanField(_l("VAT-registered business (PKP)"))
    has_pp55_certificate = BooleanField(_l("Holds a PP 55/2022 certificate (final income tax of 0.5 percent)"))
    address = TextAreaField(_l("Business address"), validators=[DataRequired(_l("Enter the address.")), Length(max=300)])
    kecamatan = StringField(_l("Kecamatan"), validators=[DataRequired(_l("Enter the kecamatan.")), Length(max=100)])
    region_name = StringField(_l("Kota/kabupaten"), validators=[DataRequired(_l("Enter the kota/kabupaten.")), Length(max=100)])
    region_code = StringField(_l("Kota/kabupaten code"), validators=[
        DataRequired(_l("Enter the kota/kabupaten code.")), Length(max=5)])
    phone = StringField(_l("Telephone"), validators=[
        DataRequired(_l("Enter a telephone number.")),
        Regexp(r"^\+?[0-9 ()-]{6,20}$", message=_l("Enter a telephone number of 6 to 20 digits, e.g. 0562 631234.")),
    ])
    contact_name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like nama@contoh.co.id."), check_deliverability=False),
        Length(max=254),
    ])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same.")),
    ])


class DocumentForm(FlaskForm):
    kind = required_choice(_l("Kind of document"), [(k.value, DOCUMENT_LABELS[k]) for k in DocumentKind],
                           _l("Choose the kind of document."))
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class Pp55Form(FlaskForm):
    """The PP 55/2022 certificate (Surat Keterangan), checked by the service."""
    has_pp55_certificate = BooleanField(_l("Holds a PP 55/2022 certificate (final income tax of 0.5 percent)"))
    pp55_number = StringField(_l("Certificate number"))
    pp55_valid_from = OptionalDateField(_l("Valid from"))
    pp55_valid_until = OptionalDateField(_l("Valid until"))


class PayeeForm(FlaskForm):
    """The owner (as in the NIB) and the bank account LS payments go to; checked by the service."""
    owner_name = StringField(_l("Owner or person in charge"))
    bank_name = StringField(_l("Bank"))
    bank_account = StringField(_l("Account number"))
