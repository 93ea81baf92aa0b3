"""After approval: deliveries, the BAST (with the photo), the tax breakdown and the payment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from pbj.clock import city_today
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.orders import (Delivery, DeliveryLine, Handover, Order, OrderDocumentKind, Payment,
                               PaymentMethod)
from pbj.services import penalties, taxes
from pbj.services.errors import DomainError
from pbj.services.order_lifecycle import unshipped
from pbj.services.orders.access import _enter
from pbj.services.orders.numbering import _document_number, _issue
from pbj.services.orders.transitions import MAX_REASON, _advance, _record
from pbj.services.uploads import store_evidence_photo


def ship(actor: User, order: Order, quantities: dict[int, int], note_number: str, shipped_on: date,
         note: str, now: datetime, today: date) -> Delivery:
    _enter(actor, order, "ship", _l("Only the supplier records deliveries."))
    note_number = (note_number or "").strip()
    if not 1 <= len(note_number) <= 60:
        raise DomainError(_l("Enter the delivery note (surat jalan) number."), field="note_number")
    if shipped_on > today or shipped_on < (order.approved_at or now).date() - timedelta(days=1):
        raise DomainError(_l("The shipping date must be between the approval and today."), field="shipped_on")
    lines = []
    for item in order.items:
        qty = quantities.get(item.id, 0)
        if qty < 0 or qty > item.quantity - item.shipped_qty:
            raise DomainError(_l("%(name)s: ship between 0 and %(n)s.", name=item.name,
                                 n=item.quantity - item.shipped_qty), field=f"qty_{item.id}")
        if qty:
            lines.append(DeliveryLine(item=item, quantity=qty))
            item.shipped_qty += qty
    if not lines:
        raise DomainError(_l("Enter the quantity shipped of at least one item."))
    delivery = Delivery(order=order, note_number=note_number, shipped_on=shipped_on,
                        note=(note or "").strip()[:MAX_REASON], recorded_by_id=actor.id, recorded_at=now,
                        lines=lines)
    db.session.add(delivery)
    _advance(order, "ship", now, shipped_at=order.shipped_at or now)
    db.session.flush()
    _record("order.shipped", actor, order, now, delivery_id=delivery.id, note_number=note_number,
            quantities={str(line.item.id): line.quantity for line in lines},
            complete=not unshipped(order))
    return delivery


def sign_handover(actor: User, order: Order, received: dict[int, int], notes: str, signed_on: date,
                  photo: bytes | None, now: datetime, today: date, waive_penalty: bool = False,
                  waiver_reason: str = "") -> Handover:
    """The PPK inspects and signs the BAST (with an optional photo of the goods); the BAST
    and the invoice are issued. The late-delivery penalty is computed and stored; the PPK
    may waive it with a reason (keadaan kahar, or a delay not the supplier's fault)."""
    _enter(actor, order, "handover", _l("Only the PPK named on this order signs the BAST."))
    if signed_on > today or (order.shipped_at and signed_on < order.shipped_at.date() - timedelta(days=1)):
        raise DomainError(_l("The BAST date must be between the delivery and today."), field="signed_on")
    for item in order.items:
        qty = received.get(item.id, 0)
        if not 0 <= qty <= item.shipped_qty:
            raise DomainError(_l("%(name)s: received between 0 and %(n)s.", name=item.name, n=item.shipped_qty),
                              field=f"qty_{item.id}")
        item.received_qty = qty
    if not any(item.received_qty for item in order.items):
        raise DomainError(_l("Nothing was received in good order: do not sign the BAST; agree a new delivery "
                               "with the supplier first."))
    penalty = penalties.compute(order)
    waiver_reason = " ".join((waiver_reason or "").split())[:MAX_REASON]
    if waive_penalty and penalty.total and len(waiver_reason) < 10:
        raise DomainError(_l("To waive the late-delivery penalty, write the reason (keadaan kahar, or a delay "
                             "that was not the supplier's fault) in at least 10 characters."),
                          field="waiver_reason")
    waived = bool(waive_penalty and penalty.total)
    # Stored only once everything else is known to be right, so a refused BAST leaves no file.
    photo_name = store_evidence_photo(photo, current_app.config["IMAGE_MAX_BYTES"]) if photo else None
    _advance(order, "handover", now, received_at=now)
    handover = Handover(order=order, number=_document_number(order, OrderDocumentKind.BAST, today),
                        signed_by_id=actor.id, signed_on=signed_on, notes=(notes or "").strip()[:MAX_REASON],
                        photo_name=photo_name, recorded_at=now, penalty_detail=penalty.rows,
                        penalty_computed=penalty.total, penalty=0 if waived else penalty.total,
                        penalty_waived_by_id=actor.id if waived else None,
                        penalty_waiver_reason=waiver_reason if waived else None)
    db.session.add(handover)
    db.session.flush()
    _issue(order, OrderDocumentKind.BAST, handover.number, now)
    _issue(order, OrderDocumentKind.INVOICE, _document_number(order, OrderDocumentKind.INVOICE, today), now)
    _record("order.received", actor, order, now, bast_number=handover.number, value=order.received_total,
            received={str(i.id): i.received_qty for i in order.items}, photo=photo_name is not None,
            penalty=handover.penalty, penalty_computed=penalty.total)
    if waived:
        _record("order.penalty_waived", actor, order, now, penalty_computed=penalty.total, reason=waiver_reason)
    return handover


def tax_lines(order: Order, received: bool) -> dict:
    """The order's value by tax class: {class: gross} (received quantities if `received`)."""
    lines: dict = {}
    for item in order.items:
        qty = item.received_qty if received else item.quantity
        lines[item.tax_class] = lines.get(item.tax_class, 0) + item.agreed_price * qty
    return lines


def tax_rates(order: Order, today: date | None = None) -> dict:
    """The rates fixed on the order at the SP; before the SP, those in force now (an estimate)."""
    if order.tax_fixed:
        return order.tax_fixed["rates"] if "rates" in order.tax_fixed else order.tax_fixed
    day = today or city_today()
    pp55 = order.supplier_has_pp55 and order.supplier.pp55_valid_on(day)
    return taxes.fixed_rates(is_pkp=order.supplier_is_pkp, pp55=pp55)


def fix_taxes(order: Order, today: date) -> taxes.TaxBreakdown:
    """At the SP: store the rates in force and the figures of the order total on the order."""
    rates = tax_rates(order, today)
    tax = taxes.compute(tax_lines(order, received=False), rates)
    order.tax_fixed = {"rates": rates, "figures": tax.as_dict()}
    return tax


def tax_breakdown(order: Order) -> taxes.TaxBreakdown:
    """Taxes on what is (or will be) paid: the received value once the BAST is signed,
    under the rates fixed at the SP (a live estimate before it: `order.tax_fixed` is None)."""
    return taxes.compute(tax_lines(order, received=order.goods_received), tax_rates(order))


@dataclass
class PaymentDetails:
    """What the treasurer records besides the amounts: the SP2D, how it was paid, and
    the numbers of the withholding receipts (bukti potong/pungut), all optional."""

    sp2d_number: str | None = None
    sp2d_date: date | None = None
    payment_method: PaymentMethod | str | None = None  # None: the order's method
    ppn_receipt: str | None = None
    pph_receipt: str | None = None


def _clean_details(order: Order, details: PaymentDetails | None, today: date) -> dict:
    details = details or PaymentDetails()
    method = details.payment_method if details.payment_method is not None else order.payment_method
    if not isinstance(method, PaymentMethod):
        raise DomainError(_l("Choose the payment method: UP/GU, LS or KKPD."), field="payment_method")
    values = {"payment_method": method}
    for name, label in (("sp2d_number", _l("The SP2D number")), ("ppn_receipt", _l("The PPN receipt number")),
                        ("pph_receipt", _l("The PPh receipt number"))):
        text = " ".join((getattr(details, name) or "").split()) or None
        if text is not None and len(text) > 60:
            raise DomainError(_l("%(what)s has at most 60 characters.", what=label), field=name)
        values[name] = text
    if details.sp2d_date is not None:
        if details.sp2d_date > today or (order.approved_at and details.sp2d_date < order.approved_at.date()):
            raise DomainError(_l("The SP2D date must be between the approval of the order and today."),
                              field="sp2d_date")
        if values["sp2d_number"] is None:
            raise DomainError(_l("Enter the SP2D number with its date."), field="sp2d_number")
    values["sp2d_date"] = details.sp2d_date
    return values


def record_payment(actor: User, order: Order, paid_on: date, reference: str, amount: int,
                   now: datetime, today: date, details: PaymentDetails | None = None) -> Payment:
    _enter(actor, order, "pay",
           _l("Only the expenditure treasurer (bendahara pengeluaran) of the ordering OPD records payments."))
    recorded = _clean_details(order, details, today)
    reference = (reference or "").strip()
    if not 3 <= len(reference) <= 80:
        raise DomainError(_l("Enter the payment reference (SP2D or transfer number)."), field="reference")
    if paid_on > today or paid_on < order.received_at.date() - timedelta(days=1):
        raise DomainError(_l("The payment date must be between the BAST and today."), field="paid_on")
    tax = tax_breakdown(order)
    penalty = penalties.deduction(order, tax.net)
    due = tax.net - penalty
    if amount != due:
        if penalty:
            raise DomainError(_l("The amount paid to the supplier must be the net amount less the late-delivery "
                                 "penalty: Rp %(net)s − Rp %(penalty)s = Rp %(due)s.",
                                 net=f"{tax.net:,}".replace(",", "."), penalty=f"{penalty:,}".replace(",", "."),
                                 due=f"{due:,}".replace(",", ".")), field="amount")
        raise DomainError(_l("The amount paid to the supplier must be the net amount, Rp %(net)s.",
                             net=f"{tax.net:,}".replace(",", ".")), field="amount")
    _advance(order, "pay", now, paid_at=now)
    payment = Payment(order=order, paid_on=paid_on, reference=reference, gross=tax.gross, dpp=tax.dpp,
                      ppn=tax.ppn, pph=tax.pph, net=tax.net, recorded_by_id=actor.id, recorded_at=now,
                      **recorded)
    db.session.add(payment)
    db.session.flush()
    _record("order.paid", actor, order, now, reference=reference, gross=tax.gross, dpp=tax.dpp, ppn=tax.ppn,
            pph=tax.pph, net=tax.net, penalty=penalty, transferred=due, paid_on=paid_on.isoformat(),
            payment_method=recorded["payment_method"].value, sp2d_number=recorded["sp2d_number"])
    return payment
