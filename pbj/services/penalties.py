"""Late-delivery penalty (denda keterlambatan), computed when the PPK signs a BAST.

Perpres 16/2018 Art. 79(4) as amended by Perpres 12/2021, and its explanation: for
every day of delay the supplier pays 1 per mille of the value, before PPN, of the part
delivered late (of the whole order when its parts cannot be used separately).

Each delivery (surat jalan) carries its date (`Delivery.shipped_on`, a date in the
city's time zone). The promised date is the order's `needed_by` (the delivery date on
the SP). A delivery after it is late by (shipped_on − needed_by) calendar days.

A BAST covers the deliveries since the previous BAST. Basis "part" (the parts can be
used separately): the quantities the PPK accepts are matched to those deliveries in
date order, so goods refused at inspection count as the latest ones (they are delivered
again later and count then). A late delivery's value is the agreed price × its
accepted quantity, before PPN under the rates fixed at the SP (a PKP supplier's gross
less its PPN; otherwise the gross); its penalty is
floor(value × rate ‰ × days / 1000), whole rupiah.

Basis "whole" (chosen at the order's first BAST and kept for the later ones): the
value is the whole order's (before PPN, less a cancelled rest) and the days are those
of the latest delivery the BAST covers; a later BAST charges only the days beyond
those an earlier one charged, so the whole order pays once for the day it was complete.

No ceiling is applied (see docs/RULES.md). The amount deducted at payment never
exceeds the net amount.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pbj.models.orders import Delivery, Order
from pbj.services import taxes
from pbj.services.documents import LATE_PENALTY_PER_MILLE_PER_DAY

PART, WHOLE = "part", "whole"


@dataclass
class Penalty:
    rows: list[dict] = field(default_factory=list)  # one per late delivery (one row on the whole basis)
    total: int = 0
    basis: str = PART


def awaiting(order: Order) -> list[Delivery]:
    """The deliveries no BAST has inspected yet, in date order."""
    return sorted((d for d in order.deliveries if d.handover_id is None),
                  key=lambda d: (d.shipped_on, d.id or 0))


def basis_of(order: Order) -> str | None:
    """The basis the order's first BAST chose (None before it)."""
    return order.handovers[0].penalty_basis if order.handovers else None


def compute(order: Order, accepted: dict[int, int] | None = None, basis: str | None = None,
            rate_per_mille: int = LATE_PENALTY_PER_MILLE_PER_DAY) -> Penalty:
    """The penalty of the next BAST: the deliveries it covers, with `accepted` the
    quantities it receives per item (default: everything delivered)."""
    from pbj.services.orders.delivery import tax_rates  # late: the orders package imports this module

    basis = basis_of(order) or basis or PART
    deliveries = awaiting(order)
    left = dict(accepted) if accepted is not None else {
        item.id: item.awaiting_inspection for item in order.items}
    rates = tax_rates(order)
    result = Penalty(basis=basis)
    latest = None
    for delivery in deliveries:
        lines: dict = {}
        for line in delivery.lines:
            taken = min(line.quantity, left.get(line.item.id, 0))
            left[line.item.id] = left.get(line.item.id, 0) - taken
            if taken:
                lines[line.item.tax_class] = lines.get(line.item.tax_class, 0) + line.item.agreed_price * taken
        if not lines:
            continue
        latest = delivery
        days = (delivery.shipped_on - order.needed_by).days
        if basis == WHOLE or days <= 0:
            continue
        gross = sum(lines.values())
        value = taxes.compute(lines, rates).dpp
        amount = value * rate_per_mille * days // 1000
        result.rows.append({"delivery_id": delivery.id, "note_number": delivery.note_number,
                            "shipped_on": delivery.shipped_on.isoformat(), "days": days, "gross": gross,
                            "value": value, "per_mille": rate_per_mille, "penalty": amount})
        result.total += amount
    if basis == WHOLE and latest is not None:
        charged = max((row["days_to"] for h in order.handovers for row in h.penalty_detail or []
                       if "days_to" in row), default=0)
        days_to = (latest.shipped_on - order.needed_by).days
        if days_to > charged:
            lines = {}
            for item in order.items:
                kept = item.quantity - item.cancelled_qty
                lines[item.tax_class] = lines.get(item.tax_class, 0) + item.agreed_price * kept
            gross = sum(lines.values())
            value = taxes.compute(lines, rates).dpp if gross else 0
            days = days_to - charged
            amount = value * rate_per_mille * days // 1000
            result.rows.append({"delivery_id": latest.id, "note_number": latest.note_number,
                                "shipped_on": latest.shipped_on.isoformat(), "days": days, "days_to": days_to,
                                "gross": gross, "value": value, "per_mille": rate_per_mille, "penalty": amount,
                                "whole": True})
            result.total += amount
    return result


def deduction(order: Order, net: int) -> int:
    """What is deducted from the net amount at payment: the penalties of the order's
    BASTs, less the waived ones (0 before a BAST)."""
    return min(order.penalty_deducted, max(net, 0))
