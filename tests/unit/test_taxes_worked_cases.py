"""Worked cases of the tax rules (docs/RULES.md, "Taxes on orders, invoices and payments").

Rates: PPN 12 % of DPP nilai lain = 11/12 of the price before PPN; PPh 22 1.5 %;
PPh 23 2 %; PP 55/2022 final 0.5 %; treasurer threshold Rp 2.000.000.
Big case G = 3.330.000: P0 = floor(3.330.000 × 100/111) = 3.000.000; DPP nilai lain
= 3.000.000 × 11/12 = 2.750.000; PPN = 12 % = 330.000; base = G − PPN = 3.000.000.
Small case g = 1.110.000: P0 = 1.000.000; DPP nilai lain = floor(916.666,67) = 916.666;
PPN = floor(109.999,92) = 109.999; base = 1.110.000 − 109.999 = 1.000.001.
"""
from datetime import date

import pytest

from pbj.models.suppliers import SupplierProfile
from pbj.services.taxes import GOODS, PBJT, SERVICES, compute, fixed_rates

CONFIG = {"PPN_RATE_PERCENT": "12", "PPN_DPP_FACTOR": "11/12", "PPH22_RATE_PERCENT": "1.5",
          "PPH23_RATE_PERCENT": "2", "PPH_FINAL_UMKM_RATE_PERCENT": "0.5",
          "TREASURER_COLLECTION_THRESHOLD_RUPIAH": 2_000_000, "PPN_COLLECTED_BY_TREASURER": True}
SP_DATE = date(2026, 12, 10)


def supplier_pp55(state: str) -> SupplierProfile:
    """A supplier with no certificate, a valid one or one expired before the SP date."""
    if state == "none":
        return SupplierProfile(has_pp55_certificate=False)
    until = date(2027, 6, 30) if state == "valid" else date(2026, 11, 30)
    return SupplierProfile(has_pp55_certificate=True, pp55_number="SKET-1", pp55_valid_from=date(2025, 1, 1),
                           pp55_valid_until=until)


# class, PKP, PP 55, gross -> PPN, PPh 22, PPh 23, final, withheld (PPN collected + PPh), net, supplier pays itself
CASES = [
    # goods, PKP, > 2 juta: PPN 330.000; PPh 22 1,5 % × 3.000.000 = 45.000; net 3.330.000 − 330.000 − 45.000
    (GOODS, True, "none", 3_330_000, 330_000, 45_000, 0, 0, 375_000, 2_955_000, 0),
    # expired certificate falls back to PPh 22: same as above
    (GOODS, True, "expired", 3_330_000, 330_000, 45_000, 0, 0, 375_000, 2_955_000, 0),
    # valid certificate: final 0,5 % × 3.000.000 = 15.000 instead of PPh 22
    (GOODS, True, "valid", 3_330_000, 330_000, 0, 0, 15_000, 345_000, 2_985_000, 0),
    # goods, not PKP: no PPN; PPh 22 1,5 % × 3.330.000 = 49.950; net 3.280.050
    (GOODS, False, "none", 3_330_000, 0, 49_950, 0, 0, 49_950, 3_280_050, 0),
    (GOODS, False, "expired", 3_330_000, 0, 49_950, 0, 0, 49_950, 3_280_050, 0),
    # final 0,5 % × 3.330.000 = 16.650; net 3.313.350
    (GOODS, False, "valid", 3_330_000, 0, 0, 0, 16_650, 16_650, 3_313_350, 0),
    # goods, PKP, <= 2 juta: treasurer collects neither PPN nor PPH 22; supplier remits PPN 109.999 itself
    (GOODS, True, "none", 1_110_000, 109_999, 0, 0, 0, 0, 1_110_000, 109_999),
    (GOODS, True, "expired", 1_110_000, 109_999, 0, 0, 0, 0, 1_110_000, 109_999),
    # + final 0,5 % × 1.000.001 = 5.000 not withheld (goods below the threshold): supplier pays 109.999 + 5.000
    (GOODS, True, "valid", 1_110_000, 109_999, 0, 0, 5_000, 0, 1_110_000, 114_999),
    # goods, not PKP, <= 2 juta: nothing withheld, nothing owed at the payment
    (GOODS, False, "none", 1_110_000, 0, 0, 0, 0, 0, 1_110_000, 0),
    (GOODS, False, "expired", 1_110_000, 0, 0, 0, 0, 0, 1_110_000, 0),
    # final 0,5 % × 1.110.000 = 5.550, paid by the supplier itself
    (GOODS, False, "valid", 1_110_000, 0, 0, 0, 5_550, 0, 1_110_000, 5_550),
    # services, PKP, > 2 juta: PPh 23 2 % × 3.000.000 = 60.000; net 3.330.000 − 330.000 − 60.000
    (SERVICES, True, "none", 3_330_000, 330_000, 0, 60_000, 0, 390_000, 2_940_000, 0),
    (SERVICES, True, "expired", 3_330_000, 330_000, 0, 60_000, 0, 390_000, 2_940_000, 0),
    (SERVICES, True, "valid", 3_330_000, 330_000, 0, 0, 15_000, 345_000, 2_985_000, 0),
    # services, not PKP: PPh 23 2 % × 3.330.000 = 66.600
    (SERVICES, False, "none", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (SERVICES, False, "expired", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (SERVICES, False, "valid", 3_330_000, 0, 0, 0, 16_650, 16_650, 3_313_350, 0),
    # services, PKP, <= 2 juta: PPN not collected (109.999 remitted by the supplier); PPh 23 has no threshold:
    # 2 % × 1.000.001 = 20.000,02 -> 20.000; net 1.110.000 − 20.000
    (SERVICES, True, "none", 1_110_000, 109_999, 0, 20_000, 0, 20_000, 1_090_000, 109_999),
    (SERVICES, True, "expired", 1_110_000, 109_999, 0, 20_000, 0, 20_000, 1_090_000, 109_999),
    # final in place of PPh 23 is withheld: 0,5 % × 1.000.001 = 5.000
    (SERVICES, True, "valid", 1_110_000, 109_999, 0, 0, 5_000, 5_000, 1_105_000, 109_999),
    # services, not PKP, <= 2 juta: PPh 23 2 % × 1.110.000 = 22.200
    (SERVICES, False, "none", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (SERVICES, False, "expired", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (SERVICES, False, "valid", 1_110_000, 0, 0, 0, 5_550, 5_550, 1_104_450, 0),
    # PBJT (catering food and drink): never PPN, even from a PKP; PPh 23 2 % × 3.330.000 = 66.600
    (PBJT, True, "none", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (PBJT, True, "expired", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (PBJT, True, "valid", 3_330_000, 0, 0, 0, 16_650, 16_650, 3_313_350, 0),
    (PBJT, False, "none", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (PBJT, False, "expired", 3_330_000, 0, 0, 66_600, 0, 66_600, 3_263_400, 0),
    (PBJT, False, "valid", 3_330_000, 0, 0, 0, 16_650, 16_650, 3_313_350, 0),
    # PBJT <= 2 juta: PPh 23 2 % × 1.110.000 = 22.200 (no threshold); final 0,5 % = 5.550 withheld
    (PBJT, True, "none", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (PBJT, True, "expired", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (PBJT, True, "valid", 1_110_000, 0, 0, 0, 5_550, 5_550, 1_104_450, 0),
    (PBJT, False, "none", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (PBJT, False, "expired", 1_110_000, 0, 0, 22_200, 0, 22_200, 1_087_800, 0),
    (PBJT, False, "valid", 1_110_000, 0, 0, 0, 5_550, 5_550, 1_104_450, 0),
]


@pytest.mark.parametrize("cls, pkp, pp55, gross, ppn, pph22, pph23, final, withheld, net, supplier_pays", CASES)
def test_worked_case(cls, pkp, pp55, gross, ppn, pph22, pph23, final, withheld, net, supplier_pays):
    valid = supplier_pp55(pp55).pp55_valid_on(SP_DATE)
    assert valid == (pp55 == "valid")
    tax = compute({cls: gross}, fixed_rates(CONFIG, is_pkp=pkp, pp55=valid))
    assert (tax.ppn, tax.pph22, tax.pph23, tax.pph_final) == (ppn, pph22, pph23, final)
    assert ((tax.ppn if tax.ppn_collected else 0) + tax.pph, tax.net, tax.supplier_pays) == (
        withheld, net, supplier_pays)
    assert tax.gross == gross and tax.dpp == gross - ppn


def test_every_combination_is_in_the_table():
    combos = {(c[0], c[1], c[2], c[3] > 2_000_000) for c in CASES}
    assert len(combos) == 3 * 2 * 3 * 2


def test_ppn_rounding_as_the_faktur_of_order_194():
    # Rp 1.204.700 from a PKP as goods: P0 = floor(1.204.700 × 100/111) = 1.085.315;
    # DPP nilai lain = floor(1.085.315 × 11/12 = 994.872,08) = 994.872;
    # PPN = floor(994.872 × 12 % = 119.384,64) = 119.384 (the faktur), not 1.204.700 − 1.085.315 = 119.385.
    tax = compute({GOODS: 1_204_700}, dict(fixed_rates(CONFIG, is_pkp=True, pp55=False), threshold=0))
    assert (tax.dpp_other, tax.ppn, tax.dpp) == (994_872, 119_384, 1_085_316)


def test_order_194_nasi_kotak_is_pbjt_below_the_threshold():
    # Nasi Kotak Rp 1.204.700 from a PKP: PBJT, so no PPN (the 119.385 charged was wrong) and no PPh 22
    # (below Rp 2 juta as well); catering is a service: PPh 23 2 % × 1.204.700 = 24.094;
    # net 1.204.700 − 24.094 = 1.180.606. The PBJT is in the price: the supplier pays it to the city.
    tax = compute({PBJT: 1_204_700}, fixed_rates(CONFIG, is_pkp=True, pp55=False))
    assert (tax.ppn, tax.pph22, tax.pph23, tax.net, tax.pbjt_base) == (0, 0, 24_094, 1_180_606, 1_204_700)
    assert tax.below_threshold and tax.supplier_pays == 0


def test_order_149_cleaning_service_is_pph23_at_2_percent():
    # Cleaning Rp 4.440.000 from a non-PKP without PP 55: PPh 23 2 % × 4.440.000 = 88.800 (not PPh 22
    # 1,5 % = 66.600); net 4.351.200.
    tax = compute({SERVICES: 4_440_000}, fixed_rates(CONFIG, is_pkp=False, pp55=False))
    assert (tax.pph22, tax.pph23, tax.net) == (0, 88_800, 4_351_200)


def test_mixed_order_splits_ppn_over_the_classes():
    # PKP: goods 2.220.000 + services 1.110.000 = 3.330.000 -> PPN 330.000 on the whole;
    # services share = 330.000 × 1.110.000 / 3.330.000 = 110.000 -> services base 1.000.000, goods base 2.000.000;
    # PPh 22 1,5 % × 2.000.000 = 30.000; PPh 23 2 % × 1.000.000 = 20.000; net 3.330.000 − 330.000 − 50.000
    tax = compute({GOODS: 2_220_000, SERVICES: 1_110_000}, fixed_rates(CONFIG, is_pkp=True, pp55=False))
    assert (tax.ppn, tax.pph22, tax.pph23, tax.net) == (330_000, 30_000, 20_000, 2_950_000)


def test_threshold_is_at_most_two_million():
    # exactly Rp 2.000.000 of goods from a non-PKP: not withheld; Rp 2.000.001: PPh 22 1,5 % = 30.000
    rates = fixed_rates(CONFIG, is_pkp=False, pp55=False)
    assert compute({GOODS: 2_000_000}, rates).pph22 == 0
    assert compute({GOODS: 2_000_001}, rates).pph22 == 30_000


def test_amounts_are_whole_rupiah_and_add_up():
    for gross in range(0, 5_000_000, 9_973):
        for cls in (GOODS, SERVICES, PBJT):
            for pkp in (True, False):
                tax = compute({cls: gross}, fixed_rates(CONFIG, is_pkp=pkp, pp55=not pkp))
                assert all(isinstance(v, int) for v in (tax.ppn, tax.pph, tax.net, tax.supplier_pays))
                assert tax.net == gross - (tax.ppn if tax.ppn_collected else 0) - tax.pph >= 0


def test_supplier_remits_ppn_itself_when_so_configured():
    tax = compute({GOODS: 3_330_000}, fixed_rates(dict(CONFIG, PPN_COLLECTED_BY_TREASURER=False),
                                                  is_pkp=True, pp55=False))
    assert (tax.ppn, tax.net, tax.supplier_pays) == (330_000, 3_285_000, 330_000)


def test_threshold_counts_the_payment_without_its_ppn():
    # PMK 59/2022 and PMK 81/2024: at most Rp 2.000.000 *not counting PPN*. Goods Rp 2.200.000 from a PKP:
    # P0 = floor(2.200.000 × 100/111) = 1.981.981; DPP nilai lain = floor(1.981.981 × 11/12 = 1.816.815,9)
    # = 1.816.815; PPN = floor(1.816.815 × 12 % = 218.017,8) = 218.017; without PPN 2.200.000 − 218.017
    # = 1.981.983 <= 2.000.000: the treasurer collects neither PPN nor PPh 22; the supplier remits 218.017.
    tax = compute({GOODS: 2_200_000}, fixed_rates(CONFIG, is_pkp=True, pp55=False))
    assert (tax.ppn, tax.dpp, tax.below_threshold, tax.pph, tax.net, tax.supplier_pays) == (
        218_017, 1_981_983, True, 0, 2_200_000, 218_017)
    # Rp 2.300.000: P0 = 2.072.072; DPP nilai lain = floor(1.899.399,3) = 1.899.399; PPN = floor(227.927,88)
    # = 227.927; without PPN 2.072.073 > 2.000.000: PPN and PPh 22 1,5 % × 2.072.073 = 31.081 collected.
    tax = compute({GOODS: 2_300_000}, fixed_rates(CONFIG, is_pkp=True, pp55=False))
    assert (tax.ppn, tax.pph22, tax.net) == (227_927, 31_081, 2_300_000 - 227_927 - 31_081)
    # An order fixed before the rule (no threshold_base) keeps comparing the gross: 2.200.000 > 2.000.000.
    old = {k: v for k, v in fixed_rates(CONFIG, is_pkp=True, pp55=False).items() if k != "threshold_base"}
    assert not compute({GOODS: 2_200_000}, old).below_threshold


@pytest.mark.parametrize("cls, pp55, pph22, pph23, final, withheld, supplier_pays", [
    # goods, not PKP, 3.330.000 paid with the government credit card (KKPD): no PPh 22 (PMK 81/2024);
    # nothing else is owed at the payment (PPh 22 is a prepayment of the supplier's own income tax)
    (GOODS, False, 0, 0, 0, 0, 0),
    # with a valid PP 55 certificate: the final 0,5 % × 3.330.000 = 16.650 is not withheld either:
    # the supplier pays it itself
    (GOODS, True, 0, 0, 16_650, 0, 16_650),
    # services by card: PPh 23 2 % × 3.330.000 = 66.600 is still withheld (the card exception is PPh 22's)
    (SERVICES, False, 0, 66_600, 0, 66_600, 0),
])
def test_payment_by_government_credit_card_collects_no_pph22(cls, pp55, pph22, pph23, final, withheld,
                                                            supplier_pays):
    tax = compute({cls: 3_330_000}, fixed_rates(CONFIG, is_pkp=False, pp55=pp55, by_card=True))
    assert (tax.pph22, tax.pph23, tax.pph_final, tax.pph, tax.supplier_pays) == (
        pph22, pph23, final, withheld, supplier_pays)
    assert tax.net == 3_330_000 - withheld


# Basic staples (PP 49/2022: exempt from PPN) and rice (also no PPh 22, PMK 81/2024), by hand:
#   lines (class: gross)              PKP  PP55  PPN      PPh 22  final   withheld  net        supplier pays
#   goods 1.110.000 + staple 2.000.000 yes  no    109.999  45.000  0       154.999   2.955.001  0
#     (PPN on the goods only: P0 1.000.000, DPP nilai lain 916.666, PPN 109.999; without PPN
#      3.000.001 > 2 juta; PPh 22 1,5 % × (1.000.001 + 2.000.000) = 45.000,015 → 45.000)
#   rice 3.330.000                    yes  no    0        0       0       0         3.330.000  0
#   rice 3.330.000                    no   yes   0        0       16.650  0         3.330.000  16.650
#     (final 0,5 % × 3.330.000, not withheld where no PPh 22 is: the supplier pays it)
#   rice 2.000.000 + goods 1.110.000  no   yes   0        0       15.550  5.550     3.104.450  10.000
#     (final 0,5 % × 3.110.000 = 15.550; withheld on the goods only: 0,5 % × 1.110.000 = 5.550)
#   staple 3.330.000                  no   no    0        49.950  0       49.950    3.280.050  0
STAPLE_CASES = [
    ({"goods": 1_110_000, "staple": 2_000_000}, True, False, 109_999, 45_000, 0, 154_999, 2_955_001, 0),
    ({"rice": 3_330_000}, True, False, 0, 0, 0, 0, 3_330_000, 0),
    ({"rice": 3_330_000}, False, True, 0, 0, 16_650, 0, 3_330_000, 16_650),
    ({"rice": 2_000_000, "goods": 1_110_000}, False, True, 0, 0, 15_550, 5_550, 3_104_450, 10_000),
    ({"staple": 3_330_000}, False, False, 0, 49_950, 0, 49_950, 3_280_050, 0),
]


@pytest.mark.parametrize("lines, pkp, pp55, ppn, pph22, final, withheld, net, supplier_pays", STAPLE_CASES)
def test_staples_bear_no_ppn_and_rice_no_pph22(lines, pkp, pp55, ppn, pph22, final, withheld, net, supplier_pays):
    tax = compute(lines, fixed_rates(CONFIG, is_pkp=pkp, pp55=pp55))
    assert (tax.ppn, tax.pph22, tax.pph_final) == (ppn, pph22, final)
    assert ((tax.ppn if tax.ppn_collected else 0) + tax.pph, tax.net, tax.supplier_pays) == (
        withheld, net, supplier_pays)
    assert tax.staple_base == lines.get("staple", 0) + lines.get("rice", 0)


def test_fields_added_later_stay_out_of_documents_without_staples():
    tax = compute({GOODS: 1_110_000}, fixed_rates(CONFIG, is_pkp=True, pp55=False))
    assert "staple_base" not in tax.as_dict() and "rice_base" not in tax.as_dict()
    assert compute({"rice": 10}, fixed_rates(CONFIG, is_pkp=True, pp55=False)).as_dict()["rice_base"] == 10
