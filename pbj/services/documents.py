"""Order documents: Surat Pesanan, BAST and invoice (DESIGN.md, "Order lifecycle").

A document is issued by the order transition that creates it (approval: the SP;
each BAST signing: a BAST; the BAST that completes the order, or the cancellation
of an undelivered rest: the invoice), which also numbers
it and writes the audit entry. Issuing stores a random public code (the QR
code's link to the verification page) and the SHA-256 fingerprint of the
document's canonical content, so a paper copy can be checked against the
record.

The content is made of codes and numbers only (no translated labels, no
formatted amounts), so its fingerprint does not depend on the reader's
language.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date, datetime
from decimal import Decimal

import segno
import sqlalchemy as sa
from flask import current_app

from pbj.clock import city_date, utcnow
from pbj.extensions import db
from pbj.messages import lazy_gettext as _l
from pbj.models.orders import Order, OrderDocument, OrderDocumentKind, OrderStatus
from pbj.services import taxes
from pbj.services.errors import DomainError

# 16 random bytes: 22 URL-safe characters, far beyond guessing (the column holds 24).
CODE_BYTES = 16
_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,24}")

# The SP's late-delivery clause: 1 per mille of the late part's value (before PPN) per
# day of delay (Perpres 16/2018 Art. 79(4) and its explanation). The law's figure, not a
# setting; the penalty itself is computed elsewhere.
LATE_PENALTY_PER_MILLE_PER_DAY = 1

# An order that ended this way after a document was issued voids the document.
VOIDING_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED)


# The shape of a document's content; a document keeps the shape it was issued with.
# 1: before the SP carried the officials' NIP, the addresses, the NIB and the terms.
# 2: before the BAST and the invoice carried the late-delivery penalty.
# 3: before partial BASTs (one BAST per order, its quantities the order's received ones).
CONTENT_VERSION = 4


def content(order: Order, kind: OrderDocumentKind, *, number: str | None = None,
            issued_on: date | None = None, version: int | None = None) -> dict:
    """The canonical content of the order's document of `kind`: what its fingerprint covers.

    `number` and `issued_on` default to those of the document already issued;
    `issue_document` passes them for the document it is about to create.
    """
    if number is None or issued_on is None:
        document = issued(order, kind, number)
        if document is None:
            raise LookupError(f"no {kind.value} document issued for order {order.id}")
        number = document.number if number is None else number
        issued_on = issue_date(document) if issued_on is None else issued_on
        version = document.content_version if version is None else version
    version = CONTENT_VERSION if version is None else version

    # The SP commits what was ordered; a BAST covers what it received, the invoice what
    # all BASTs received.
    handover = _handover(order, number) if kind is OrderDocumentKind.BAST else order.handover
    if kind is OrderDocumentKind.BAST and version >= 4 and handover is not None:
        items = _bast_lines(order, handover)
    else:
        items = []
        for item in order.items:
            quantity = item.quantity if kind is OrderDocumentKind.SURAT_PESANAN else item.received_qty
            line = {"name": item.name, "unit": item.unit, "quantity": quantity,
                    "unit_price": item.agreed_price, "line_total": item.agreed_price * quantity}
            if kind is OrderDocumentKind.BAST:
                line["ordered_quantity"] = item.quantity
            if kind is OrderDocumentKind.INVOICE and version >= 4:
                line["ordered_quantity"] = item.quantity
                line["cancelled_quantity"] = item.cancelled_qty
            items.append(line)

    data = {
        "kind": kind.value,
        "number": number,
        "issued_on": issued_on,
        "order_id": order.id,
        "opd": {"name": order.opd.name, "code": order.opd.code, "address": order.opd.address},
        "supplier": {"name": order.supplier.name, "npwp": order.supplier.npwp, "nib": order.supplier.nib,
                     "address": order.supplier.address},
        "ppk": {"name": order.ppk.name, "nip": order.ppk.nip},
        "sp_number": order.sp_number,
        "rup_code": order.rup_code,
        "budget": {"year": order.budget_year, "source": order.budget_source.value},
        "items": items,
        "total": sum(line["line_total"] for line in items),
    }
    if version == 1:
        data["opd"] = {"name": order.opd.name, "code": order.opd.code}
        data["supplier"] = {"name": order.supplier.name, "npwp": order.supplier.npwp}
        data["ppk"] = {"name": order.ppk.name}
    if kind is OrderDocumentKind.SURAT_PESANAN and version == 1:
        data["delivery_address"] = order.delivery_address
        data["needed_by"] = order.needed_by
    elif kind is OrderDocumentKind.SURAT_PESANAN:
        data["delivery_address"] = order.delivery_address
        data["needed_by"] = order.needed_by
        data["payment_method"] = order.payment_method.value
        # The late-delivery clause (Perpres 16/2018 Art. 79(4), as amended by Perpres
        # 12/2021): per mille of the late part's value before PPN, per day of delay.
        data["penalty_per_mille_per_day"] = LATE_PENALTY_PER_MILLE_PER_DAY
    elif kind is OrderDocumentKind.INVOICE and version >= 4:
        data["basts"] = [_bast_facts(h) for h in order.handovers]
        data["late_penalty"] = _penalties_content(order.handovers)
        data["rest_cancelled"] = None if order.rest_cancel_reason is None else {
            "by": order.rest_cancelled_by.name, "reason": order.rest_cancel_reason}
    else:
        data["bast"] = None if handover is None else _bast_facts(handover)
        if version == 1 and data["bast"] is not None:
            del data["bast"]["signed_by_nip"]
        if version >= 4 and handover is not None:
            data["bast"].update(sequence=handover.sequence, rest=handover.rest.value if handover.rest else None,
                                rest_reason=handover.rest_reason)
        if version >= 3:
            data["late_penalty"] = None if handover is None else _penalty_content(handover)
            if version >= 4 and handover is not None:
                data["late_penalty"]["basis"] = handover.penalty_basis
    if kind is OrderDocumentKind.INVOICE:
        from pbj.services.orders.delivery import tax_breakdown
        tax = tax_breakdown(order)  # under the rates fixed at the SP
        if tax.dpp_factor != "1":
            data["tax"] = dict(tax.as_dict(), method=taxes.METHOD)
            return data
        # Orders issued before tax classes: the content their fingerprints cover.
        data["tax"] = {"gross": tax.gross, "dpp": tax.dpp, "ppn": tax.ppn, "pph": tax.pph, "net": tax.net,
                       "ppn_rate": tax.ppn_rate, "pph_rate": tax.pph_rate, "pph_final": tax.pp55,
                       "is_pkp": order.supplier_is_pkp,
                       # Whether the treasurer withholds PPN too, or the supplier remits it.
                       "ppn_withheld": bool(current_app.config.get("PPN_COLLECTED_BY_TREASURER", True))}
    return data


def _handover(order: Order, number: str | None):
    """The BAST of this number; the latest when none has it yet (the one being issued)."""
    return next((h for h in order.handovers if h.number == number), order.handover)


def _bast_facts(handover) -> dict:
    return {"number": handover.number, "signed_on": handover.signed_on, "signed_by": handover.signed_by.name,
            "signed_by_nip": handover.signed_by.nip}


def _bast_lines(order: Order, handover) -> list[dict]:
    """A BAST's lines, from what it recorded (later BASTs and cancellations change nothing)."""
    before: dict[int, int] = {}
    for earlier in order.handovers:
        if earlier.sequence >= handover.sequence:
            break
        for line in earlier.lines or []:
            before[line["item_id"]] = before.get(line["item_id"], 0) + line["received"]
    recorded = {line["item_id"]: line for line in handover.lines or []}
    lines = []
    for item in order.items:
        line = recorded.get(item.id, {})
        received = line.get("received", 0)
        lines.append({"name": item.name, "unit": item.unit, "ordered_quantity": item.quantity,
                      "received_before": before.get(item.id, 0), "delivered": line.get("delivered", 0),
                      "quantity": received, "cancelled": line.get("cancelled", 0),
                      "unit_price": item.agreed_price, "line_total": item.agreed_price * received})
    return lines


def _penalties_content(handovers) -> dict:
    """The late-delivery penalties of all the order's BASTs, on the invoice (version 4)."""
    rows, waivers = [], []
    for handover in handovers:
        part = _penalty_content(handover)
        rows += [dict(row, bast=handover.number) for row in part["rows"]]
        if part["waiver"] is not None:
            waivers.append(dict(part["waiver"], bast=handover.number, computed=handover.penalty_computed))
    return {"computed": sum(h.penalty_computed for h in handovers), "deducted": sum(h.penalty for h in handovers),
            "per_mille_per_day": LATE_PENALTY_PER_MILLE_PER_DAY, "waivers": waivers, "rows": rows}


def _penalty_content(handover) -> dict:
    """The late-delivery penalty on the BAST and the invoice (content version 3)."""
    waiver = None
    if handover.penalty_waiver_reason is not None:
        waiver = {"by": handover.penalty_waived_by.name, "reason": handover.penalty_waiver_reason}
    return {"computed": handover.penalty_computed, "deducted": handover.penalty,
            "per_mille_per_day": LATE_PENALTY_PER_MILLE_PER_DAY, "waiver": waiver,
            "rows": [{key: row[key] for key in ("note_number", "shipped_on", "days", "value", "penalty")}
                     for row in handover.penalty_detail or []]}


def _json_value(value):
    # datetime before date: a datetime is also a date.
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not part of a document's content: {type(value).__name__}")


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_value)


def fingerprint(data: dict) -> str:
    """SHA-256 (hex) of the canonical JSON of a document's content."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def issue_document(order: Order, kind: OrderDocumentKind, number: str,
                   issued_at: datetime | None = None) -> OrderDocument:
    """Record the order's document of `kind` with its public code and fingerprint.

    Called by the order transition that issues it, which numbers the document
    and writes the audit entry. Flushed, not committed. A second document of
    the same kind for the same order is refused.
    """
    number = (number or "").strip()
    if not number or len(number) > 60:
        raise DomainError(_l("A document needs a number of at most 60 characters."))
    if issued(order, kind, number if kind is OrderDocumentKind.BAST else None) is not None:
        raise DomainError(_l("This document was already issued for this order."))
    issued_at = issued_at or utcnow()  # the transition's time (demo data replays a year)
    data = content(order, kind, number=number, issued_on=city_date(issued_at), version=CONTENT_VERSION)
    document = OrderDocument(order_id=order.id, kind=kind, number=number, issued_at=issued_at,
                             code=secrets.token_urlsafe(CODE_BYTES), fingerprint=fingerprint(data),
                             content_version=CONTENT_VERSION)
    db.session.add(document)
    db.session.flush()
    return document


def issued(order: Order, kind: OrderDocumentKind, number: str | None = None) -> OrderDocument | None:
    """The order's document of `kind` (of this number: an order may have several BASTs;
    without one, the first), or None when it was not issued (yet)."""
    query = sa.select(OrderDocument).where(OrderDocument.order_id == order.id, OrderDocument.kind == kind)
    if number is not None:
        query = query.where(OrderDocument.number == number)
    return db.session.scalars(query.order_by(OrderDocument.id).limit(1)).first()


def issued_all(order: Order) -> list[OrderDocument]:
    """Every document issued for the order, in the order they were issued."""
    return list(db.session.scalars(
        sa.select(OrderDocument).where(OrderDocument.order_id == order.id).order_by(OrderDocument.id)))


def document_content(document: OrderDocument) -> dict:
    """The content of an issued document, in the shape it was issued with."""
    return content(document.order, document.kind, number=document.number, issued_on=issue_date(document),
                   version=document.content_version)


def find_by_code(code: str) -> OrderDocument | None:
    """The document with this public code; None for unknown or malformed codes."""
    # Checked before the query: a code comes from any URL (PostgreSQL refuses NUL bytes).
    if not isinstance(code, str) or not _CODE_PATTERN.fullmatch(code):
        return None
    return db.session.scalar(sa.select(OrderDocument).where(OrderDocument.code == code))


def issue_date(document: OrderDocument) -> date:
    """The date printed on the document: its issue time in the city's time zone."""
    return city_date(document.issued_at)


def is_in_force(document: OrderDocument) -> bool:
    """False once the order was cancelled, rejected or expired after the document was issued."""
    return document.order.status not in VOIDING_STATUSES


def public_summary(document: OrderDocument) -> dict:
    """What the public verification page may show: no personal data, no tax identities.

    Amounts of approved orders are public by design (transparency); names of
    officials, contacts, addresses and NPWP are not.
    """
    order = document.order
    if document.kind is OrderDocumentKind.SURAT_PESANAN:
        total = order.sp_total
    elif document.kind is OrderDocumentKind.BAST and document.content_version >= 4:
        total = document_content(document)["total"]
    else:
        total = order.received_total
    return {
        "kind": document.kind,
        "number": document.number,
        "issued_on": issue_date(document),
        "order_status": order.status,
        "in_force": is_in_force(document),
        "opd_name": order.opd.name,
        "supplier_name": order.supplier.name,
        "total": total,
        "fingerprint": document.fingerprint,
    }


def qr_svg(url: str, title: str | None = None) -> str:
    """An inline SVG QR code of `url` (no XML declaration, no namespace), for HTML pages."""
    # Error level M survives a smudged or folded print; the white background keeps it
    # scannable from a screen in dark mode.
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_inline(scale=3, border=4, light="#fff", svgclass="qr", title=title)
