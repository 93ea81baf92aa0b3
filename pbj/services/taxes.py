"""The tax breakdown of an order or invoice, in whole rupiah (docs/RULES.md,
"Taxes on orders, invoices and payments").

Each line has a tax class: goods (PPh 22), services (PPh 23) or a regional-tax
object (restaurant/catering food and drink: PBJT, no PPN; the treasurer
withholds PPh 23 on catering as a service). Catalogue prices include PPN when
the supplier is PKP, so the order's value is the gross amount. Rounding:

- price before PPN: P0 = floor(gross × 100 / (100 + 12 × 11/12)); DPP nilai lain
  = floor(P0 × 11/12); PPN = floor(DPP nilai lain × 12 %) (PMK 131/2024, the
  faktur's own rounding); the price before PPN ("DPP") = gross − PPN.
- PPh = base × rate rounded down; base = the lines' price before PPN.
- The treasurer neither collects PPN nor PPh 22 on a payment of at most
  TREASURER_COLLECTION_THRESHOLD_RUPIAH, not counting the PPN, that is not split
  (PMK 59/2022 and PMK 81/2024); PPh 23 has no threshold. No PPh 22 is collected on
  goods paid with the government's credit card (KKPD; PMK 81/2024). Not collected
  PPN and a final PP 55 tax not withheld are what the supplier must pay itself.
- A valid PP 55/2022 certificate replaces PPh 22 and 23 with the final 0.5 %.

The rates are fixed on the order at the SP (`fixed_rates`); an order issued before
tax classes existed keeps the old formula (method "2024").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from flask import current_app

GOODS, SERVICES, PBJT = "goods", "services", "pbjt"
# Basic staples the PPN law exempts (UU PPN Art. 16B as amended by UU 7/2021; PP 49/2022:
# rice, eggs, vegetables, fruit, salt, meat, milk, consumption sugar…), and among them
# rice and unhulled rice (beras, gabah), on which no PPh 22 is collected (PMK 81/2024).
STAPLE, RICE = "staple", "rice"
TAX_CLASSES = (GOODS, SERVICES, PBJT, STAPLE, RICE)
METHOD = "2025"
LEGACY_METHOD = "2024"


@dataclass(frozen=True)
class TaxBreakdown:
    gross: int
    dpp: int              # price before PPN (gross − PPN)
    dpp_other: int        # DPP nilai lain (11/12 × price before PPN) of the PPN lines; 0 if no PPN
    ppn: int              # PPN on the invoice (0 when the supplier is not PKP or only PBJT lines)
    pph22: int
    pph23: int
    pph_final: int        # PP 55/2022 final tax
    pph: int              # the PPh the treasurer withholds
    ppn_collected: bool   # the treasurer collects the PPN
    pph22_collected: bool
    supplier_pays: int    # tax the supplier must remit itself (PPN not collected, final tax not withheld)
    pbjt_base: int        # value of PBJT lines (the regional tax is in the price, the supplier remits it)
    net: int
    ppn_rate: Decimal
    dpp_factor: str
    pph22_rate: Decimal
    pph23_rate: Decimal
    pph_final_rate: Decimal
    threshold: int
    below_threshold: bool
    pp55: bool
    is_pkp: bool
    staple_base: int = 0  # value of PPN-exempt staples (rice included); left out of as_dict when 0
    rice_base: int = 0    # of which rice and unhulled rice (no PPh 22)

    @property
    def pph_rate(self) -> Decimal:  # the rate shown when only one PPh applies
        return self.pph_final_rate if self.pp55 else (self.pph23_rate if self.pph23 and not self.pph22
                                                      else self.pph22_rate)

    def as_dict(self) -> dict:
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in _ADDED_LATER and not value:
                continue  # the content of documents issued before these fields stays the same
            out[name] = str(value) if isinstance(value, Decimal) else value
        return out


# Fields added after documents were issued with `as_dict` in their content.
_ADDED_LATER = ("staple_base", "rice_base")


def _floor(value) -> int:
    if isinstance(value, Fraction):
        return value.numerator // value.denominator
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def fixed_rates(config=None, *, is_pkp: bool, pp55: bool, by_card: bool = False) -> dict:
    """The rates and threshold in force now, as stored on the order at the SP.

    `threshold_base` "before_ppn": the threshold is compared with the payment less its
    PPN (orders fixed before this key compared the gross, and keep doing so).
    `by_card`: the SP's payment method is the government credit card (KKPD)."""
    config = config if config is not None else current_app.config
    return {"method": METHOD, "is_pkp": bool(is_pkp), "pp55": bool(pp55), "by_card": bool(by_card),
            "threshold_base": "before_ppn",
            "ppn_rate": str(config["PPN_RATE_PERCENT"]), "dpp_factor": str(config["PPN_DPP_FACTOR"]),
            "pph22_rate": str(config["PPH22_RATE_PERCENT"]), "pph23_rate": str(config["PPH23_RATE_PERCENT"]),
            "pph_final_rate": str(config["PPH_FINAL_UMKM_RATE_PERCENT"]),
            "threshold": int(config["TREASURER_COLLECTION_THRESHOLD_RUPIAH"]),
            "ppn_collected": bool(config.get("PPN_COLLECTED_BY_TREASURER", True))}


def compute(lines: dict, rates: dict, *, split: bool = False) -> TaxBreakdown:
    """Taxes of `lines` ({tax class: gross}) under `rates` (from `fixed_rates`)."""
    if rates.get("method") == LEGACY_METHOD:
        return _legacy(sum(lines.values()), rates)
    gross_by = {c: int(lines.get(c, 0)) for c in TAX_CLASSES}
    if any(v < 0 for v in gross_by.values()):
        raise ValueError("gross must not be negative")
    gross = sum(gross_by.values())
    is_pkp, pp55 = rates["is_pkp"], rates["pp55"]
    ppn_rate = Decimal(rates["ppn_rate"]) if is_pkp else Decimal(0)
    factor = Fraction(rates["dpp_factor"])
    rate = Fraction(str(ppn_rate))
    ppn_gross = gross_by[GOODS] + gross_by[SERVICES]   # PBJT food and drink bears no PPN
    if ppn_gross and rate:
        before = _floor(Fraction(ppn_gross) * 100 / (100 + rate * factor))
        dpp_other = _floor(before * factor)
        ppn = _floor(dpp_other * rate / 100)
    else:
        dpp_other, ppn = 0, 0
    # Bases before PPN, per class (PPN split pro rata, the remainder on goods); staples bear no PPN.
    base = dict(gross_by)
    if ppn:
        services_ppn = ppn * gross_by[SERVICES] // ppn_gross
        base[SERVICES] -= services_ppn
        base[GOODS] -= ppn - services_ppn
    threshold = int(rates["threshold"])
    measured = gross - ppn if rates.get("threshold_base") == "before_ppn" else gross
    below = measured <= threshold and not split
    r22, r23, rf = (Decimal(rates["pph22_rate"]), Decimal(rates["pph23_rate"]), Decimal(rates["pph_final_rate"]))
    pph22 = pph23 = final = 0
    if pp55:
        final = _floor(Decimal(sum(base.values())) * rf / 100)
    else:
        pph22 = _floor(Decimal(base[GOODS] + base[STAPLE]) * r22 / 100)
        pph23 = _floor(Decimal(base[SERVICES] + base[PBJT]) * r23 / 100)
    pph22_collected = not below and not rates.get("by_card", False)
    ppn_collected = bool(rates["ppn_collected"]) and not below
    withheld = (pph22 if pph22_collected else 0) + pph23
    supplier_pays = 0 if ppn_collected else ppn
    if pp55:
        # The final tax replaces PPh 22 (withheld where PPh 22 would be) and PPh 23 (always).
        if pph22_collected and not base[RICE]:
            final_withheld = final
        else:  # where no PPh 22 is collected (rice, a card payment, the threshold), nor is the final tax
            withheld_base = base[SERVICES] + base[PBJT] + (base[GOODS] + base[STAPLE] if pph22_collected else 0)
            final_withheld = _floor(Decimal(withheld_base) * rf / 100)
        withheld += final_withheld
        supplier_pays += final - final_withheld
    if not pph22_collected:
        pph22 = 0
    net = gross - (ppn if ppn_collected else 0) - withheld
    return TaxBreakdown(gross=gross, dpp=gross - ppn, dpp_other=dpp_other, ppn=ppn, pph22=pph22, pph23=pph23,
                        pph_final=final, pph=withheld, ppn_collected=ppn_collected, pph22_collected=pph22_collected,
                        supplier_pays=supplier_pays, pbjt_base=gross_by[PBJT], net=net, ppn_rate=ppn_rate,
                        dpp_factor=rates["dpp_factor"], pph22_rate=r22, pph23_rate=r23, pph_final_rate=rf,
                        threshold=threshold, below_threshold=below, pp55=pp55, is_pkp=is_pkp,
                        staple_base=gross_by[STAPLE] + gross_by[RICE], rice_base=gross_by[RICE])


def _legacy(gross: int, rates: dict) -> TaxBreakdown:
    """The formula before tax classes (kept for orders issued under it, so their
    documents and fingerprints do not change): DPP = floor(gross × 100 / (100 + PPN)),
    PPN = gross − DPP, PPh 22 (or final) = floor(DPP × rate), no threshold."""
    is_pkp, pp55 = rates["is_pkp"], rates["pp55"]
    ppn_rate = Decimal(rates["ppn_rate"]) if is_pkp else Decimal(0)
    pph_rate = Decimal(rates["pph_final_rate"] if pp55 else rates["pph22_rate"])
    dpp = _floor(Decimal(gross) * 100 / (100 + ppn_rate))
    ppn = gross - dpp
    pph = _floor(Decimal(dpp) * pph_rate / 100)
    collected = ppn if rates.get("ppn_collected", True) else 0
    return TaxBreakdown(gross=gross, dpp=dpp, dpp_other=0, ppn=ppn, pph22=0 if pp55 else pph, pph23=0,
                        pph_final=pph if pp55 else 0, pph=pph, ppn_collected=bool(rates.get("ppn_collected", True)),
                        pph22_collected=True, supplier_pays=ppn - collected, pbjt_base=0,
                        net=gross - collected - pph, ppn_rate=ppn_rate, dpp_factor="1",
                        pph22_rate=Decimal(rates["pph22_rate"]), pph23_rate=Decimal(0), pph_final_rate=pph_rate,
                        threshold=0, below_threshold=False, pp55=pp55, is_pkp=is_pkp)


def breakdown(gross: int, *, is_pkp: bool, has_pp55: bool, tax_class: str = GOODS, config=None) -> TaxBreakdown:
    """One class of line under the rates configured now (a live estimate)."""
    return compute({tax_class: gross}, fixed_rates(config, is_pkp=is_pkp, pp55=has_pp55))
