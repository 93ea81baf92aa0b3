"""The tax breakdown of an order or invoice, in whole rupiah (DESIGN.md, "Tax breakdown").

Catalogue prices include PPN when the supplier is PKP (as in the national
e-Katalog), so the order's value is the gross amount and the base is taken out
of it. Rounding, the same everywhere:

- DPP  = gross × 100 / (100 + PPN rate), rounded down; PPN = gross − DPP, so
  DPP + PPN is always exactly the gross. Not PKP: DPP = gross, PPN = 0.
- PPh  = DPP × rate, rounded down to whole rupiah (1.5 % PPh 22; 0.5 % final
  for a UMKM holding a PP 55/2022 certificate).
- The treasurer collects PPN (a government treasurer is a VAT collector) and
  withholds PPh, so net = gross − PPN − PPh. With
  PPN_COLLECTED_BY_TREASURER = False the supplier remits PPN itself and
  net = gross − PPh.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from flask import current_app


@dataclass(frozen=True)
class TaxBreakdown:
    gross: int
    dpp: int
    ppn: int
    pph: int
    net: int
    ppn_rate: Decimal
    pph_rate: Decimal
    pph_final: bool  # PPh final 0.5 % (PP 55/2022) rather than PPh 22


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def breakdown(gross: int, *, is_pkp: bool, has_pp55: bool, config=None) -> TaxBreakdown:
    config = config if config is not None else current_app.config
    if gross < 0:
        raise ValueError("gross must not be negative")
    ppn_rate = Decimal(str(config["PPN_RATE_PERCENT"])) if is_pkp else Decimal(0)
    pph_rate = Decimal(str(config["PPH_FINAL_UMKM_RATE_PERCENT"] if has_pp55 else config["PPH22_RATE_PERCENT"]))
    dpp = _floor(Decimal(gross) * 100 / (100 + ppn_rate))
    ppn = gross - dpp
    pph = _floor(Decimal(dpp) * pph_rate / 100)
    collected = ppn if config.get("PPN_COLLECTED_BY_TREASURER", True) else 0
    return TaxBreakdown(gross=gross, dpp=dpp, ppn=ppn, pph=pph, net=gross - collected - pph,
                        ppn_rate=ppn_rate, pph_rate=pph_rate, pph_final=has_pp55)
