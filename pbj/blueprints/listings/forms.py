"""The product form, with fields for rupiah, percentages and whole numbers as people type them.

Each custom field keeps what the user typed (`raw_data`) for re-rendering, so a
rejected form shows "Rp 1.250.000" or "43,25" exactly as entered, and parses it
into an integer (`data`) for the service: rupiah whole, percentages in hundredths.
"""
from __future__ import annotations

import re

from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, Field, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, TextInput

from pbj.messages import lazy_gettext as _l
from pbj.models.catalogue import CERTIFICATIONS, Category
from pbj.services.catalogue import MAX_IMAGES, MAX_PRICE
from pbj.web.labels import CERTIFICATION_LABELS

MAX_STOCK = 1_000_000_000  # fits a 32-bit integer column on PostgreSQL
MAX_MIN_ORDER = 1_000_000
MAX_LEAD_TIME_DAYS = 365

# -- Parsing ------------------------------------------------------------------------

_MAX_INPUT = 30  # characters: longer is never a sensible number (and keeps int() cheap)


class NumberProblem(ValueError):
    """Why a typed number cannot be used; the message is for the form."""


def parse_whole_number(text: str, *, negative_message, decimal_message, invalid_message) -> int:
    """Digits, optionally grouped in thousands by dots or spaces ("1.250.000", "1 250 000");
    "1,250,000" with two or more comma groups is read as English grouping.
    A trailing ",-" or ",00" (no cents) is allowed; any other fraction is refused."""
    s = text.strip().replace("\u00a0", " ")
    if len(s) > _MAX_INPUT:
        raise NumberProblem(invalid_message)
    if s[:1] in ("-", "\u2212"):
        raise NumberProblem(negative_message)
    s = re.sub(r",(-|00?)$", "", s)
    s = re.sub(r"(?<=\d) (?=\d{3}\b)", ".", s)  # spaces between thousands
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        return int(s.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(,\d{3}){2,}", s):
        return int(s.replace(",", ""))
    if re.fullmatch(r"[\d.]*\d[.,]\d+", s):
        raise NumberProblem(decimal_message)
    raise NumberProblem(invalid_message)


def parse_rupiah(text: str) -> int:
    s = re.sub(r"^\s*rp\.?\s*", "", text, flags=re.IGNORECASE)
    return parse_whole_number(
        s,
        negative_message=_l("The price cannot be negative."),
        decimal_message=_l("Enter the price in whole rupiah, without cents."),
        invalid_message=_l("Enter the price in rupiah using digits, for example 1.250.000."),
    )


def parse_percent_x100(text: str) -> int:
    """ "43,25" or "43.25" (with or without "%") → 4325; at most two decimals."""
    s = text.strip().rstrip("%").strip()
    if len(s) > _MAX_INPUT:
        raise NumberProblem(_l("Enter a percentage such as 43,25."))
    if s[:1] in ("-", "\u2212"):
        raise NumberProblem(_l("A percentage cannot be negative."))
    match = re.fullmatch(r"(\d{1,6})(?:[.,](\d*))?", s)
    if not match:
        raise NumberProblem(_l("Enter a percentage such as 43,25."))
    whole, fraction = match.group(1), (match.group(2) or "").rstrip("0")
    if len(fraction) > 2:
        raise NumberProblem(_l("Use at most two decimals, for example 43,25."))
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def format_thousands(value: int) -> str:
    """1250000 → "1.250.000", the way the form shows a stored amount (and reads it back)."""
    return f"{value:,}".replace(",", ".")


def format_percent_x100(value: int) -> str:
    """4325 → "43,25" (Indonesian) or "43.25" (English); 4000 → "40"."""
    whole, cents = divmod(int(value), 100)
    if not cents:
        return str(whole)
    separator = "." if str(get_locale()).startswith("en") else ","
    return f"{whole}{separator}{cents:02d}".rstrip("0")


# -- Fields -------------------------------------------------------------------------

class _TypedNumberField(Field):
    """A text input holding an integer; shows the typed text back when the form is re-rendered."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, minimum=None, maximum=None, range_message=None,
                 required_message=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.range_message = range_message
        self.required_message = required_message

    def parse(self, text: str) -> int:
        raise NotImplementedError

    def format(self, value: int) -> str:
        return str(value)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.format(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] or ""
        if not text.strip():
            self.data = None
            return
        try:
            self.data = self.parse(text)
        except NumberProblem as problem:
            self.data = None
            raise ValueError(str(problem.args[0])) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the parse message is already there; say nothing more
        if self.data is None:
            if self.required_message:
                raise StopValidation(str(self.required_message))
            return
        if (self.minimum is not None and self.data < self.minimum) or \
                (self.maximum is not None and self.data > self.maximum):
            raise StopValidation(str(self.range_message))


class RupiahField(_TypedNumberField):
    """Whole rupiah: accepts "Rp 1.250.000", "1.250.000" and "1250000"."""

    def parse(self, text: str) -> int:
        return parse_rupiah(text)

    def format(self, value: int) -> str:
        return format_thousands(value)


class WholeNumberField(_TypedNumberField):
    """A count (stock, minimum order, days); thousands may be grouped with dots."""

    def parse(self, text: str) -> int:
        return parse_whole_number(
            text,
            negative_message=_l("Enter zero or more, not a negative number."),
            decimal_message=_l("Enter a whole number, without decimals."),
            invalid_message=_l("Enter a whole number using digits."),
        )


class PercentField(_TypedNumberField):
    """A percentage with up to two decimals, comma or point: stored in hundredths."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def parse(self, text: str) -> int:
        return parse_percent_x100(text)

    def format(self, value: int) -> str:
        return format_percent_x100(value)


class GroupedSelect(Select):
    """A select whose first option asks to choose, then one <optgroup> per group."""

    def __init__(self, placeholder):
        super().__init__()
        self.placeholder = placeholder

    def __call__(self, field, **kwargs):
        html = super().__call__(field, **kwargs)
        prompt = self.render_option("", self.placeholder, field.data is None)
        head, sep, rest = html.partition(">")
        return type(html)(head + sep + prompt + rest)


class IdChoiceField(SelectField):
    """A select of database ids: anything that is not one of the offered ids gets `message`."""

    def __init__(self, label=None, validators=None, *, message, optional=False, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)
        self.message = message
        self.optional = optional

    def process_data(self, value):
        self.data = value if isinstance(value, int) else None

    def process_formdata(self, valuelist):
        if valuelist:
            raw = (valuelist[0] or "").strip()
            self.data = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
            if raw and self.data is None:
                self.data = -1  # something was sent, and it is not an id

    def pre_validate(self, form):
        if self.data is None and self.optional:
            return
        offered = {int(value) for value, *_ in self.iter_choices() if value != ""}
        if self.data not in offered:
            raise StopValidation(str(self.message))


class CheckboxesField(SelectMultipleField):
    """Several checkboxes with one name; unknown values get a clear message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {value for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(str(_l("Choose only from the listed certifications.")))


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
    is_pdn = BooleanField(_l("Domestic product (PDN)"), default=True)
    origin = StringField(_l("Place of origin"), validators=[_length(120)])
    certifications = CheckboxesField(_l("Certifications"),
                                     choices=[(code, CERTIFICATION_LABELS[code]) for code in CERTIFICATIONS])

    def set_categories(self, tree: list[Category]) -> None:
        self.category_id.choices = category_choices(tree)

    def fill_from(self, product) -> None:
        """Prefill from a stored product (a GET of the edit page)."""
        for name in ("category_id", "name", "description", "unit", "unit_price", "min_order", "stock",
                     "lead_time_days", "delivery_area", "tkdn_certificate", "is_pdn", "origin"):
            self[name].data = getattr(product, name)
        self.tkdn.data = product.tkdn_x100
        self.bmp.data = product.bmp_x100
        self.certifications.data = product.certification_list


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

