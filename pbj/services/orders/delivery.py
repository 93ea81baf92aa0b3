"""After approval: deliveries, the BAST (with the photo), the tax breakdown and the payment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_today
from pbj.extensions import db
from pbj.messages import LocalTime
from pbj.messages import lazy_gettext as _l
from pbj.models.accounts import User
from pbj.models.catalogue import Product
from pbj.models.orders import (Delivery, DeliveryLine, Handover, HandoverRest, Order, OrderDocumentKind, Payment,
                               PaymentMethod)
from pbj.services import audit, penalties, taxes
from pbj.services.errors import DomainError, WrongState
from pbj.services.order_lifecycle import LIFECYCLE, unshipped
from pbj.services.orders.access import _enter
from pbj.services.orders.numbering import _document_number, _issue
from pbj.services.orders.transitions import MAX_REASON, _advance, _move, _record
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
        if qty < 0 or qty > item.to_ship:
            raise DomainError(_l("%(name)s: ship between 0 and %(n)s.", name=item.name,
                                 n=item.to_ship), field=f"qty_{item.id}")
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


REST_CHOICES = ("open", "cancel")


def sign_handover(actor: User, order: Order, received: dict[int, int], notes: str, signed_on: date,
                  photo: bytes | None, now: datetime, today: date, waive_penalty: bool = False,
                  waiver_reason: str = "", rest: str = "", rest_reason: str = "",
                  whole_order: bool = False) -> Handover:
    """The PPK inspects the deliveries since the previous BAST and signs a BAST (with an
    optional photo of the goods). What was delivered and not received is refused: it goes
    back to the supplier. When less than ordered has been received, the PPK decides the
    rest: left open (the supplier delivers it and a later BAST receives it) or cancelled
    with a reason (the order's value, taxes and package follow; reserved stock returns).
    When nothing is left, the order is received and the invoice (tagihan) is issued.

    The late-delivery penalty of the deliveries this BAST covers is computed and stored;
    the PPK may waive it with a reason (keadaan kahar, or a delay not the supplier's fault)."""
    _enter(actor, order, "handover", _l("Only the PPK named on this order signs the BAST."))
    if not any(item.awaiting_inspection for item in order.items):
        raise WrongState(_l("Nothing was delivered since the last BAST: the supplier records a delivery first."))
    if signed_on > today or (order.shipped_at and signed_on < order.shipped_at.date() - timedelta(days=1)):
        raise DomainError(_l("The BAST date must be between the delivery and today."), field="signed_on")
    if order.handover is not None and signed_on < order.handover.signed_on:
        raise DomainError(_l("The BAST date cannot be before the previous BAST (%(date)s).",
                             date=LocalTime(order.handover.signed_on)), field="signed_on")
    accepted = {}
    for item in order.items:
        qty = received.get(item.id, 0)
        if not 0 <= qty <= item.awaiting_inspection:
            raise DomainError(_l("%(name)s: received between 0 and %(n)s.", name=item.name,
                                 n=item.awaiting_inspection), field=f"qty_{item.id}")
        accepted[item.id] = qty
    if not any(accepted.values()):
        raise DomainError(_l("Nothing was received in good order: do not sign the BAST; agree a new delivery "
                               "with the supplier first."))
    left = {item.id: item.outstanding - accepted[item.id] for item in order.items}
    decided, rest_reason = _rest_decision(any(left.values()), rest, rest_reason)
    delivered = {item.id: item.awaiting_inspection for item in order.items}
    for item in order.items:
        item.received_qty += accepted[item.id]
        item.shipped_qty = item.received_qty  # what was refused goes back and is shipped again
    cancelled = _cancel_rest(order, now) if decided is HandoverRest.CANCELLED else {}
    # What the BAST document prints, fixed now: a later BAST or cancellation changes nothing on it.
    lines = [{"item_id": item.id, "delivered": delivered[item.id], "received": accepted[item.id],
              "cancelled": cancelled.get(str(item.id), 0)} for item in order.items]
    penalty = penalties.compute(order, accepted, penalties.WHOLE if whole_order else penalties.PART)
    waiver_reason = " ".join((waiver_reason or "").split())[:MAX_REASON]
    if waive_penalty and penalty.total and len(waiver_reason) < 10:
        raise DomainError(_l("To waive the late-delivery penalty, write the reason (keadaan kahar, or a delay "
                             "that was not the supplier's fault) in at least 10 characters."),
                          field="waiver_reason")
    waived = bool(waive_penalty and penalty.total)
    covered = penalties.awaiting(order)
    # Stored only once everything else is known to be right, so a refused BAST leaves no file.
    photo_name = store_evidence_photo(photo, current_app.config["IMAGE_MAX_BYTES"]) if photo else None
    final = decided is not HandoverRest.OPEN
    if final:
        _advance(order, "handover", now, received_at=now)
    else:
        _stay(order, "handover", now)
    handover = Handover(order=order, sequence=len(order.handovers) + 1,
                        number=_document_number(order, OrderDocumentKind.BAST, today),
                        signed_by_id=actor.id, signed_on=signed_on, notes=(notes or "").strip()[:MAX_REASON],
                        photo_name=photo_name, recorded_at=now, lines=lines, rest=decided, rest_reason=rest_reason,
                        penalty_basis=penalty.basis, penalty_detail=penalty.rows,
                        penalty_computed=penalty.total, penalty=0 if waived else penalty.total,
                        penalty_waived_by_id=actor.id if waived else None,
                        penalty_waiver_reason=waiver_reason if waived else None)
    db.session.add(handover)
    db.session.flush()
    for delivery in covered:
        delivery.handover_id = handover.id
    _issue(order, OrderDocumentKind.BAST, handover.number, now)
    if final:
        _issue(order, OrderDocumentKind.INVOICE, _document_number(order, OrderDocumentKind.INVOICE, today), now)
    _record("order.received" if final else "order.received_part", actor, order, now, bast_number=handover.number,
            value=sum(item.agreed_price * accepted[item.id] for item in order.items),
            received={str(item_id): qty for item_id, qty in accepted.items() if qty},
            rest=decided.value if decided else None, cancelled=cancelled or None,
            photo=photo_name is not None, penalty=handover.penalty, penalty_computed=penalty.total)
    if decided is HandoverRest.CANCELLED:
        audit.record("order.rest_cancelled", actor, order, at=now, reason=rest_reason, cancelled=cancelled,
                     bast_number=handover.number)
    if waived:
        _record("order.penalty_waived", actor, order, now, penalty_computed=penalty.total, reason=waiver_reason)
    return handover


def _rest_decision(something_left: bool, rest: str, reason: str) -> tuple[HandoverRest | None, str | None]:
    """What the BAST decides about the rest; nothing to decide when everything was received."""
    if not something_left:
        return None, None
    if rest not in REST_CHOICES:
        raise DomainError(_l("Less than ordered is received: choose whether the rest stays open for delivery "
                             "or is cancelled."), field="rest")
    if rest == "open":
        return HandoverRest.OPEN, None
    return HandoverRest.CANCELLED, _rest_reason(reason)


def _rest_reason(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not 10 <= len(text) <= MAX_REASON:
        raise DomainError(_l("Write why the undelivered rest is cancelled (10 to 2000 characters); the "
                             "supplier and the auditors see it."), field="rest_reason")
    return text


def _cancel_rest(order: Order, now: datetime) -> dict[str, int]:
    """Cancel every item's outstanding quantity; reserved stock of it returns to the product."""
    cancelled = {}
    for item in sorted(order.items, key=lambda i: i.product_id):  # checkout's lock order
        rest = item.outstanding
        if rest <= 0:
            continue
        item.cancelled_qty += rest
        item.shipped_qty = min(item.shipped_qty, item.quantity - item.cancelled_qty)
        cancelled[str(item.id)] = rest
        if item.reserved:
            db.session.execute(
                sa.update(Product).where(Product.id == item.product_id, Product.stock.is_not(None))
                .values(stock=Product.stock + rest, updated_at=now).execution_options(synchronize_session=False))
    return cancelled


def _stay(order: Order, action: str, now: datetime) -> None:
    """A partial BAST that leaves the rest open: the order stays in its state, but the
    same conditional update as a move makes of two clicks at once one win."""
    step = LIFECYCLE[action]
    _move(order, step.from_states, order.status, now)


def cancel_rest(actor: User, order: Order, reason: str, now: datetime, today: date) -> None:
    """After a partial BAST left the rest open, the PPK cancels it (the supplier cannot or
    will not deliver it): the order is received as it stands and the invoice is issued."""
    _enter(actor, order, "cancel_rest", _l("Only the PPK named on this order decides the undelivered rest."))
    if any(item.awaiting_inspection for item in order.items):
        raise WrongState(_l("A delivery waits for inspection: sign its BAST first, and decide the rest there."))
    if not order.handovers or not any(item.outstanding for item in order.items):
        raise WrongState(LIFECYCLE["cancel_rest"].wrong_state)
    reason = _rest_reason(reason)
    _advance(order, "cancel_rest", now, received_at=now, rest_cancelled_by_id=actor.id, rest_cancel_reason=reason)
    cancelled = _cancel_rest(order, now)
    _issue(order, OrderDocumentKind.INVOICE, _document_number(order, OrderDocumentKind.INVOICE, today), now)
    _record("order.rest_cancelled", actor, order, now, reason=reason, cancelled=cancelled,
            bast_number=order.handover.number if order.handover else None)


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
    return taxes.fixed_rates(is_pkp=order.supplier_is_pkp, pp55=pp55,
                             by_card=order.payment_method is PaymentMethod.KKPD)


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
    rates = (order.tax_fixed or {}).get("rates", {})
    if "by_card" in rates and (method is PaymentMethod.KKPD) != rates["by_card"]:
        # PPh 22 was fixed on the SP for its payment method (none is collected on a KKPD purchase).
        if rates["by_card"]:
            raise DomainError(_l("The Surat Pesanan fixed the taxes for payment with the government credit card "
                                 "(KKPD), on which no PPh 22 is collected: record the payment as KKPD."),
                              field="payment_method")
        raise DomainError(_l("The Surat Pesanan fixed the taxes for payment by UP/GU or LS, with PPh 22: record "
                             "the payment as UP/GU or LS, not KKPD."), field="payment_method")
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
