"""Form fields shared by every blueprint: numbers as people type them, selects of ids.

Each number field keeps what the user typed (`raw_data`) for re-rendering, so a
rejected form shows "Rp 1.250.000" or "43,25" exactly as entered, and parses it
into an integer (`data`) for the service: rupiah whole, percentages in hundredths.
"""
from __future__ import annotations

import re

from flask_babel import get_locale
from wtforms import Field, SelectField
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import Select, TextInput

from pbj.messages import lazy_gettext as _l

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


def required_choice(label, choices, message, **kwargs) -> SelectField:
    """A select that starts on an empty "— choose —" option, so an untouched field is
    caught: by the browser's `required` and, without it, by `message` (422)."""
    return SelectField(label, choices=[("", _l("— choose —"))] + list(choices),
                       validators=[DataRequired(message)], **kwargs)
