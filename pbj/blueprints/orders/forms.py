"""Forms of the cart, checkout and order actions.

Forms whose fields depend on the order (a price or a quantity per item) are
built per order by the `*_form` factories: each item gets its own field, so
errors land next to the item they are about.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask import current_app
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pbj.messages import lazy_gettext as _l
from pbj.models.orders import Order, PaymentMethod
from pbj.web.fields import IdChoiceField, RupiahField, WholeNumberField
from pbj.web.labels import PAYMENT_METHOD_LABELS, ground_label, package_choice_label

# Browsers with a date picker send 2026-12-31; people typing in older or text browsers write 31/12/2026.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
REASON_LENGTH = Length(min=5, max=2000, message=_l("Write between %(min)d and %(max)d characters."))


def _payment_method_field(label):
    # Checked by the service (an unknown code is refused on the field, in plain words).
    return SelectField(label, choices=[(m.value, PAYMENT_METHOD_LABELS[m]) for m in PaymentMethod],
                       validate_choice=False)


def payment_method_of(field) -> PaymentMethod | str | None:
    """The field's PaymentMethod; None when not sent; the raw text when unknown (refused)."""
    value = field.data
    if not value:
        return None
    try:
        return PaymentMethod(value)
    except ValueError:
        return str(value)


def _quantity(label, *, minimum=1, maximum=None, required=True):
    return WholeNumberField(label, minimum=minimum, maximum=maximum,
                            range_message=_l("Enter a quantity from %(min)s to %(max)s.", min=minimum,
                                             max=maximum if maximum is not None else "1.000.000"),
                            required_message=_l("Enter the quantity.") if required else None)


class AddToCartForm(FlaskForm):
    product_id = HiddenField()
    # Empty (a catalogue card's button): the product's minimum order.
    quantity = _quantity(_l("Quantity"), maximum=1_000_000, required=False)
    next = HiddenField()


class CartQuantityForm(FlaskForm):
    quantity = _quantity(_l("Quantity"), maximum=1_000_000)


class CheckoutForm(FlaskForm):
    package_id = IdChoiceField(_l("Package (Kode RUP)"),
                               message=_l("Choose a package (Kode RUP) from your OPD's RUP register."))
    delivery_address = TextAreaField(_l("Delivery address"), validators=[
        DataRequired(_l("Enter the delivery address.")), Length(max=300)])
    needed_by = DateField(_l("Needed by (date)"), format=DATE_FORMATS, validators=[DataRequired(_l("Enter the date as DD/MM/YYYY."))])
    ppk_id = IdChoiceField(_l("Approving PPK"), message=_l("Choose a PPK of your OPD."))
    payment_method = _payment_method_field(_l("Payment method"))

    def set_choices(self, today: date, ppks, packages, totals: dict[int, int]) -> None:
        self.package_id.choices = [(p.id, package_choice_label(p, totals.get(p.id, 0))) for p in packages]
        self.ppk_id.choices = [(u.id, u.name) for u in ppks]

    def ground_fields(self) -> dict[int, tuple[object, object]]:
        """{supplier id: (its ground field, its explanation field)}, for the groups that need them."""
        return {int(name.rsplit("_", 1)[1]): (field, self[f"explanation_{name.rsplit('_', 1)[1]}"])
                for name, field in self._fields.items() if name.startswith("ground_")}


def checkout_form(groups, **kwargs) -> CheckoutForm:
    """The checkout form with a lawful ground and an explanation per supplier group that
    goes down a domestic-preference tier, named `ground_<supplier id>` and
    `explanation_<supplier id>` like the service's refusals, so messages land there."""
    fields = {}
    for group in groups:
        if group.needs_justification:
            sid = group.supplier.org_id
            fields[f"ground_{sid}"] = RadioField(
                _l("Lawful ground for buying below the higher tier"),
                choices=[(code, ground_label(code)) for code in current_app.config["PREFERENCE_GROUNDS"]],
                validate_choice=False)
            fields[f"explanation_{sid}"] = TextAreaField(_l("Explanation"), render_kw={"rows": 3})
    return type("CheckoutForm", (CheckoutForm,), fields)(**kwargs)


class ApproveForm(FlaskForm):
    payment_method = _payment_method_field(_l("Payment method (printed on the Surat Pesanan)"))
    accept_ground = BooleanField(_l("I accept this ground for buying below the higher domestic-preference "
                                    "tier"))



class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Write the reason.")), REASON_LENGTH])

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        # A PPK sees the cancel and the reject form on one page: each its own ids (the
        # label, hint and error point at the right box), the posted name stays "reason".
        self.action = action
        self.reason.id = self.reason.label.field_id = f"{action}-reason"


class RatingForm(FlaskForm):
    stars = RadioField(_l("Rating"), coerce=int, choices=[(n, _l("%(stars)s %(n)s of 5 stars", stars="★" * n, n=n))
                                                  for n in range(5, 0, -1)],
                       validators=[DataRequired(_l("Choose 1 to 5 stars."))])
    comment = TextAreaField(_l("Comment (shown on the supplier's profile)"), validators=[Length(max=2000)])


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"), validators=[DataRequired(_l("Write your reply.")),
                                                        Length(max=2000)])


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Date paid"), format=DATE_FORMATS, validators=[DataRequired(_l("Enter the date as DD/MM/YYYY."))])
    reference = StringField(_l("Reference (SP2D or transfer number)"), validators=[
        DataRequired(_l("Enter the payment reference.")), Length(max=80)])
    amount = RupiahField(_l("Amount transferred to the supplier"), minimum=0,
                         required_message=_l("Enter the amount paid."))
    payment_method = _payment_method_field(_l("Payment method"))
    sp2d_number = StringField(_l("SP2D number (optional)"), validators=[Optional(), Length(max=60)])
    sp2d_date = DateField(_l("SP2D date (optional)"), format=DATE_FORMATS, validators=[Optional()])
    ppn_receipt = StringField(_l("PPN withholding receipt (bukti pungut) number (optional)"),
                              validators=[Optional(), Length(max=60)])
    pph_receipt = StringField(_l("PPh withholding receipt (bukti potong) number (optional)"),
                              validators=[Optional(), Length(max=60)])


class _OfferBase(FlaskForm):
    note = TextAreaField(_l("Note to the other side (optional)"), validators=[Optional(), Length(max=2000)])


class _ShipBase(FlaskForm):
    note_number = StringField(_l("Delivery note (surat jalan) number"), validators=[
        DataRequired(_l("Enter the delivery note number.")), Length(max=60)])
    shipped_on = DateField(_l("Shipped on"), format=DATE_FORMATS, validators=[DataRequired(_l("Enter the date as DD/MM/YYYY."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class _HandoverBase(FlaskForm):
    signed_on = DateField(_l("Date of the BAST"), format=DATE_FORMATS, validators=[DataRequired(_l("Enter the date as DD/MM/YYYY."))])
    notes = TextAreaField(_l("Inspection notes"), validators=[Optional(), Length(max=2000)])
    photo = FileField(_l("Photo of the goods or work received (optional, JPEG or PNG)"))
    waive_penalty = BooleanField(_l("Waive the late-delivery penalty (keadaan kahar, or a delay that was not "
                                    "the supplier's fault)"))
    waiver_reason = TextAreaField(_l("Reason for waiving the penalty"), validators=[Optional(), Length(max=2000)])
    whole_order = BooleanField(_l("The late part cannot be used without the rest of the order: the penalty is "
                                  "computed on the value of the whole order"))
    # Checked by the service, which knows whether anything is left to decide.
    rest = RadioField(_l("If less than ordered is received, the rest:"), validate_choice=False, choices=[
        ("open", _l("stays open: the supplier delivers it later and a next BAST receives it")),
        ("cancel", _l("is cancelled: the supplier does not deliver it and it is not paid"))])
    rest_reason = TextAreaField(_l("Reason for cancelling the rest"), validators=[Optional(), Length(max=2000)])


class RestForm(FlaskForm):
    rest_reason = TextAreaField(_l("Reason for cancelling the rest"), validators=[
        DataRequired(_l("Write the reason.")), Length(min=10, max=2000,
                                                      message=_l("Write between %(min)d and %(max)d characters."))])


def _per_item(base, order: Order, make_field, prefix: str):
    form_class = type(base.__name__.lstrip("_"), (base,), {})
    for item in order.items:
        field = make_field(item)
        if field is not None:
            setattr(form_class, f"{prefix}_{item.id}", field)
    return form_class


def offer_form(order: Order, **kwargs) -> FlaskForm:
    def price(item):
        return RupiahField(_l("%(name)s: unit price (list price %(price)s)", name=item.name,
                              price=f"Rp {item.list_price:,}".replace(",", ".")),
                           minimum=1, maximum=item.list_price,
                           range_message=_l("Offer at most the list price."),
                           required_message=_l("Enter a price for this item."))
    return _per_item(_OfferBase, order, price, "price")(**kwargs)


def ship_form(order: Order, **kwargs) -> FlaskForm:
    def quantity(item):
        left = item.quantity - item.shipped_qty
        if left <= 0:
            return None
        return WholeNumberField(_l("%(name)s: quantity shipped now (%(left)s %(unit)s still to ship)",
                                   name=item.name, left=left, unit=item.unit), minimum=0, maximum=left,
                                range_message=_l("Ship between 0 and the quantity still to ship."))
    return _per_item(_ShipBase, order, quantity, "qty")(**kwargs)


def handover_form(order: Order, **kwargs) -> FlaskForm:
    def quantity(item):
        if item.awaiting_inspection <= 0:
            return None
        return WholeNumberField(_l("%(name)s: quantity received in good order (%(n)s %(unit)s delivered "
                                   "since the last BAST)", name=item.name, n=item.awaiting_inspection,
                                   unit=item.unit),
                                minimum=0, maximum=item.awaiting_inspection,
                                range_message=_l("Enter between 0 and the quantity delivered."),
                                required_message=_l("Enter the quantity received."))
    return _per_item(_HandoverBase, order, quantity, "qty")(**kwargs)


def per_item_values(form: FlaskForm, order: Order, prefix: str) -> dict[int, int]:
    values = {}
    for item in order.items:
        field = getattr(form, f"{prefix}_{item.id}", None)
        if field is not None and field.data is not None:
            values[item.id] = field.data
    return values
