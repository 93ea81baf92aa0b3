"""Late-delivery penalty (denda keterlambatan), computed when the PPK signs the BAST.

Perpres 16/2018 Art. 79(4) as amended by Perpres 12/2021, and its explanation: for
every day of delay the supplier pays 1 per mille of the value, before PPN, of the part
delivered late (of the whole order when its parts cannot be used separately).

Each delivery (surat jalan) carries its date (`Delivery.shipped_on`, a date in the
city's time zone). The promised date is the order's `needed_by` (the delivery date on
the SP). A delivery after it is late by (shipped_on − needed_by) calendar days; its
value is the agreed price × the quantity of that delivery, before PPN under the tax
rates fixed at the SP (for a PKP supplier: that gross less its PPN; otherwise the
gross). Penalty of a delivery = floor(value before PPN × rate ‰ × days / 1000), whole
rupiah. No ceiling is applied (see docs/RULES.md). The amount deducted at payment never
exceeds the net amount.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pbj.models.orders import Order
from pbj.services import taxes
from pbj.services.documents import LATE_PENALTY_PER_MILLE_PER_DAY


@dataclass
class Penalty:
    rows: list[dict] = field(default_factory=list)  # one per late delivery
    total: int = 0


def compute(order: Order, rate_per_mille: int = LATE_PENALTY_PER_MILLE_PER_DAY) -> Penalty:
    """The penalty of the order's deliveries made after its `needed_by` date."""
    from pbj.services.orders.delivery import tax_rates  # late: the orders package imports this module

    rates = tax_rates(order)
    result = Penalty()
    for delivery in sorted(order.deliveries, key=lambda d: (d.shipped_on, d.id or 0)):
        days = (delivery.shipped_on - order.needed_by).days
        if days <= 0:
            continue
        lines: dict = {}
        for line in delivery.lines:
            lines[line.item.tax_class] = lines.get(line.item.tax_class, 0) + line.item.agreed_price * line.quantity
        gross = sum(lines.values())
        value = taxes.compute(lines, rates).dpp if gross else 0
        amount = value * rate_per_mille * days // 1000
        result.rows.append({"delivery_id": delivery.id, "note_number": delivery.note_number,
                            "shipped_on": delivery.shipped_on.isoformat(), "days": days, "gross": gross,
                            "value": value, "per_mille": rate_per_mille, "penalty": amount})
        result.total += amount
    return result


def deduction(order: Order, net: int) -> int:
    """What is deducted from the net amount at payment (0 without a signed BAST or when waived)."""
    handover = order.handover
    if handover is None:
        return 0
    return min(handover.penalty or 0, max(net, 0))
