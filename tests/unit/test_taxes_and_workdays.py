from datetime import date, datetime

import pytest

from pbj.services.taxes import GOODS, LEGACY_METHOD, compute
from pbj.services.workdays import add_working_days, deadline_after

CONFIG = {"PPN_RATE_PERCENT": "11", "PPH22_RATE_PERCENT": "1.5", "PPH_FINAL_UMKM_RATE_PERCENT": "0.5",
          "PPN_COLLECTED_BY_TREASURER": True, "CITY_TIMEZONE": "Asia/Pontianak"}


def breakdown(gross, *, is_pkp, has_pp55, config):
    """The formula orders issued before tax classes keep (migration e5e0c0de0005, method "2024")."""
    rates = {"method": LEGACY_METHOD, "is_pkp": is_pkp, "pp55": has_pp55, "ppn_rate": config["PPN_RATE_PERCENT"],
             "dpp_factor": "1", "pph22_rate": config["PPH22_RATE_PERCENT"], "pph23_rate": "0",
             "pph_final_rate": config["PPH_FINAL_UMKM_RATE_PERCENT"], "threshold": 0,
             "ppn_collected": config["PPN_COLLECTED_BY_TREASURER"]}
    return compute({GOODS: gross}, rates)


def test_pkp_supplier_price_includes_ppn():
    tax = breakdown(1_110_000, is_pkp=True, has_pp55=False, config=CONFIG)
    assert (tax.dpp, tax.ppn, tax.pph, tax.net) == (1_000_000, 110_000, 15_000, 985_000)


def test_not_pkp_has_no_ppn_and_umkm_with_pp55_pays_final_half_percent():
    tax = breakdown(2_000_000, is_pkp=False, has_pp55=True, config=CONFIG)
    assert (tax.dpp, tax.ppn, tax.pph, tax.net) == (2_000_000, 0, 10_000, 1_990_000)
    assert tax.pph_final


@pytest.mark.parametrize("gross, dpp, ppn, pph", [
    # 100 / 1.11 = 90.09 -> DPP 90 (down), PPN the rest 10; PPh 1.5 % of 90 = 1.35 -> 1
    (100, 90, 10, 1),
    # 1.000.001 / 1.11 = 900.901,8 -> 900.901; PPN 99.100; PPh 13.513,5 -> 13.513
    (1_000_001, 900_901, 99_100, 13_513),
    (1, 0, 1, 0),
    (0, 0, 0, 0),
])
def test_rounding_is_down_and_dpp_plus_ppn_is_always_the_gross(gross, dpp, ppn, pph):
    tax = breakdown(gross, is_pkp=True, has_pp55=False, config=CONFIG)
    assert (tax.dpp, tax.ppn, tax.pph) == (dpp, ppn, pph)
    assert tax.dpp + tax.ppn == gross and tax.net == gross - ppn - pph


def test_every_amount_is_a_whole_rupiah_for_many_values():
    for gross in range(0, 5_000_000, 9_973):
        for pkp in (True, False):
            tax = breakdown(gross, is_pkp=pkp, has_pp55=not pkp, config=CONFIG)
            assert all(isinstance(v, int) for v in (tax.dpp, tax.ppn, tax.pph, tax.net))
            assert tax.dpp + tax.ppn == gross and 0 <= tax.pph <= tax.dpp


def test_supplier_remits_ppn_itself_when_so_configured():
    tax = breakdown(1_110_000, is_pkp=True, has_pp55=False, config={**CONFIG, "PPN_COLLECTED_BY_TREASURER": False})
    assert tax.net == 1_110_000 - 15_000


def test_working_days_skip_weekends_and_holidays():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 3, frozenset()) == date(2026, 12, 2)  # Mon, Tue, Wed
    assert add_working_days(friday, 3, frozenset({date(2026, 11, 30)})) == date(2026, 12, 3)
    assert add_working_days(date(2026, 11, 28), 1, frozenset()) == date(2026, 11, 30)  # from Saturday


def test_deadline_is_the_end_of_the_last_working_day_in_city_time():
    # Friday 27 Nov 2026, 16.30 WIB (09.30 UTC): due end of Wednesday 2 Dec WIB = 17.00 UTC.
    none = frozenset()
    assert deadline_after(datetime(2026, 11, 27, 9, 30), 3, CONFIG, off=none) == datetime(2026, 12, 2, 17, 0)
    # Late Thursday evening UTC is already Friday in Singkawang.
    assert deadline_after(datetime(2026, 11, 26, 18, 0), 3, CONFIG, off=none) == datetime(2026, 12, 2, 17, 0)
    holiday = frozenset({date(2026, 12, 1)})
    assert deadline_after(datetime(2026, 11, 27, 9, 30), 3, CONFIG, off=holiday) == datetime(2026, 12, 3, 17, 0)
