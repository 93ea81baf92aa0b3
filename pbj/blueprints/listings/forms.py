"""The product form and the photo form of a listing.

Its number fields (rupiah, percentages, whole numbers as people type them) and
the category select are the shared ones in `pbj.web.fields`.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from pbj.messages import lazy_gettext as _l
from pbj.models.catalogue import CERTIFICATIONS, Category
from pbj.services.catalogue import MAX_IMAGES, MAX_PRICE
from pbj.web.fields import GroupedSelect, IdChoiceField, PercentField, RupiahField, WholeNumberField
from pbj.web.labels import CERTIFICATION_LABELS, TAX_CLASS_LABELS

MAX_STOCK = 1_000_000_000  # fits a 32-bit integer column on PostgreSQL
MAX_MIN_ORDER = 1_000_000
MAX_LEAD_TIME_DAYS = 365


class CheckboxesField(SelectMultipleField):
    """Several checkboxes with one name; unknown values get a clear message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {value for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(str(_l("Choose only from the listed certifications.")))


# Browsers with a date picker send 2026-12-31; people typing in older or text browsers write 31/12/2026.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class OptionalDateField(DateField):
    """A date that may be left empty; anything else unreadable gets a plain message."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, format=DATE_FORMATS, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter the date as DD/MM/YYYY."))) from None


def _length(maximum: int):
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


# -- Forms ----------------------------------------------------------------------------

def category_choices(tree: list[Category]) -> dict:
    """{top category name: [(id, sub-category name), …]}; a top category without
    sub-categories is offered on its own."""
    groups: dict = {}
    for top in tree:
        groups[top.name] = [(c.id, c.name) for c in top.children] or [(top.id, top.name)]
    return groups


class ProductForm(FlaskForm):
    category_id = IdChoiceField(_l("Category"), message=_l("Choose a category from the list."),
                                widget=GroupedSelect(_l("Choose a category")))
    name = StringField(_l("Product name"), validators=[
        DataRequired(_l("Enter the product name.")), _length(200)])
    description = TextAreaField(_l("Description"), validators=[_length(5000)])
    unit = StringField(_l("Unit (satuan)"), validators=[
        DataRequired(_l("Enter the unit, for example buah, kotak or paket.")), _length(30)])
    unit_price = RupiahField(_l("Price per unit (Rp)"), minimum=1, maximum=MAX_PRICE,
                             required_message=_l("Enter the price per unit."),
                             range_message=_l("Enter a price in whole rupiah, more than zero."))
    min_order = WholeNumberField(_l("Minimum order"), minimum=1, maximum=MAX_MIN_ORDER,
                                 required_message=_l("Enter the minimum order (at least 1)."),
                                 range_message=_l("The minimum order is from 1 to 1.000.000."))
    stock = WholeNumberField(_l("Stock"), minimum=0, maximum=MAX_STOCK,
                             range_message=_l("Stock is from 0 to 1.000.000.000."))
    lead_time_days = WholeNumberField(_l("Lead time (days)"), minimum=0, maximum=MAX_LEAD_TIME_DAYS,
                                      required_message=_l(
                                          "Enter the lead time in days (0 for the same day)."),
                                      range_message=_l("The lead time is from 0 to 365 days."))
    delivery_area = StringField(_l("Delivery area"), validators=[_length(200)])
    tkdn = PercentField(_l("TKDN (%)"), minimum=0, maximum=10000,
                        range_message=_l("TKDN is a percentage from 0 to 100."))
    bmp = PercentField(_l("BMP (%)"), minimum=0, maximum=1500,
                       range_message=_l("BMP is a percentage from 0 to 15."))
    tkdn_certificate = StringField(_l("TKDN certificate number"), validators=[_length(60)])
    tkdn_certificate_date = OptionalDateField(_l("Date of the TKDN certificate"))
    tkdn_ik = BooleanField(_l("It is a TKDN-IK certificate (small industry)"))
    siinas = BooleanField(_l("Registered in SIINas"))
    siinas_number = StringField(_l("SIINas number (if any)"), validators=[_length(40)])
    is_pdn = BooleanField(_l("Domestic product (PDN)"), default=True)
    origin = StringField(_l("Place of origin"), validators=[_length(120)])
    # Checked by the service (a plain message), not by the field.
    tax_class = SelectField(_l("Tax class"), choices=list(TAX_CLASS_LABELS.items()), default="goods",
                            validate_choice=False)
    certifications = CheckboxesField(_l("Certifications"),
                                     choices=[(code, CERTIFICATION_LABELS[code]) for code in CERTIFICATIONS])

    def set_categories(self, tree: list[Category]) -> None:
        self.category_id.choices = category_choices(tree)

    def fill_from(self, product, revision=None) -> None:
        """Prefill from a stored product (a GET of the edit page), with the values of its
        pending revision when there is one: that is what the supplier last asked for."""
        for name in ("category_id", "name", "description", "unit", "unit_price", "min_order", "stock",
                     "lead_time_days", "delivery_area", "tkdn_certificate", "tkdn_certificate_date", "tkdn_ik",
                     "siinas", "siinas_number", "is_pdn", "origin", "tax_class"):
            self[name].data = getattr(product, name)
        self.tkdn.data = product.tkdn_x100
        self.bmp.data = product.bmp_x100
        self.certifications.data = product.certification_list
        for name, value in (revision.proposed if revision is not None else {}).items():
            if name == "tkdn_x100":
                self.tkdn.data = value
            elif name == "bmp_x100":
                self.bmp.data = value
            elif name == "certifications":
                self.certifications.data = value.split()
            elif name == "tkdn_certificate_date":
                self.tkdn_certificate_date.data = date.fromisoformat(value) if value else None
            else:
                self[name].data = value


class ImageForm(FlaskForm):
    image = MultipleFileField(_l("Add photos"), render_kw={"accept": "image/jpeg,image/png"})

    def files(self) -> list:
        """The chosen files (an empty file input sends one nameless part: not a file)."""
        return [f for f in (self.image.data or []) if getattr(f, "filename", "")]

    def validate_image(self, field):
        count = len(self.files())
        if count == 0:
            raise ValidationError(str(_l("Choose at least one photo.")))
        if count > MAX_IMAGES:
            raise ValidationError(str(_l("Choose at most %(n)d photos at a time.", n=MAX_IMAGES)))

