"""The spending figures on the hand-built world of tests/spending_helpers.py; every
expected number is worked out by hand in the comments."""
from datetime import date
from decimal import Decimal

import pytest

from pbj.services import spending
from pbj.services.spending import Figures, Filters
from tests import spending_helpers


@pytest.fixture
def world(app, create_org, create_user, create_supplier):
    return spending_helpers.build(create_org, create_user, create_supplier)


def test_opd_totals_count_only_orders_with_an_sp_that_still_stand(world):
    per_opd = spending.by_opd(Filters(2026))
    # A: orders 1, 2, 3. committed 1.200.000 + 1.500.000 + 160.000 (20.000 × (10 − 2 cancelled));
    # received 1.200.000 + 600.000 (2 of 5) + 160.000; paid: order 1 only.
    # UMK and local: orders 1 and 3; PDN: order 1 and 3 (order 2 is an import);
    # TKDN+BMP ≥ 40 %: order 1's first item, 1.000.000.
    assert per_opd[world.opd_a] == Figures(orders=3, committed=2_860_000, received=1_960_000, paid=1_200_000,
                                           umk=1_360_000, pdn=1_360_000, tkdn_bmp_40=1_000_000, local=1_360_000)
    # B: orders 4 and 8 (6 has no SP). 500.000 + 30.000; UMK and local: order 8.
    assert per_opd[world.opd_b] == Figures(orders=2, committed=530_000, received=500_000, paid=500_000,
                                           umk=30_000, pdn=530_000, tkdn_bmp_40=500_000, local=30_000)


def test_months_follow_the_sp_date_in_city_time(world):
    cells = spending.by_opd_month(Filters(2026))
    assert set(cells) == {(world.opd_a, 1), (world.opd_a, 2), (world.opd_b, 3)}
    assert cells[(world.opd_a, 1)].committed == 1_200_000
    # Order 3's SP is 31 January 17:30 UTC = 1 February 00:30 in the city.
    assert cells[(world.opd_a, 2)].committed == 1_660_000 and cells[(world.opd_a, 2)].orders == 2
    assert spending.by_month(Filters(2026, month_from=2, month_to=2)) == {2: cells[(world.opd_a, 2)]}


def test_category_filter_takes_the_sub_categories_too(world):
    # Kertas: order 1's HVS item 1.000.000, order 3's HVS item 160.000, order 4's 500.000.
    figures = spending.total(Filters(2026, category_id=world.kertas))
    assert (figures.orders, figures.committed, figures.umk) == (3, 1_660_000, 1_160_000)


def test_shares_round_half_up_to_two_decimals():
    assert spending.percent(1, 3) == Decimal("33.33")
    assert spending.percent(2, 3) == Decimal("66.67")
    assert spending.percent(1, 0) is None


def test_meter_against_budget_and_spending(world):
    meter = spending.meter(world.opd_a, 2026)
    # UMK 1.360.000 of the budget 5.000.000 = 27,20 %: more than 10 points under 40 → red.
    assert meter.budget == 5_000_000
    assert (meter.umk_of_budget.value, meter.umk_of_budget.status) == (Decimal("27.20"), "red")
    umk = meter.shares[0]
    # Of spending: 1.360.000 / 2.860.000 = 47,552… % → 47,55, at or above 40 → green.
    assert (umk.key, umk.value, umk.status) == ("umk", Decimal("47.55"), "green")
    # Other shares have no target by default: numbers, no colour.
    assert all(m.status is None for m in meter.shares[1:])
    b = spending.meter(world.opd_b, 2026)
    assert b.budget is None and b.umk_of_budget.value is None and b.umk_of_budget.status is None
    # 30.000 / 530.000 = 5,66 % → red.
    assert (b.shares[0].value, b.shares[0].status) == (Decimal("5.66"), "red")


def test_amber_is_within_the_configured_points_below_the_target(app):
    app.config["METER_AMBER_POINTS"] = 10
    assert spending.rate(Decimal("40.00"), 40) == "green"
    assert spending.rate(Decimal("30.00"), 40) == "amber"
    assert spending.rate(Decimal("29.99"), 40) == "red"
    assert spending.rate(None, 40) is None and spending.rate(Decimal(5), None) is None


def test_city_totals(world):
    totals = spending.city_totals(2026)
    # 2.860.000 + 530.000; UMK 1.390.000 / 3.390.000 = 41,002… %; PDN 1.890.000 → 55,752… %;
    # TKDN+BMP ≥ 40 % 1.500.000 → 44,247… %; local = UMK here.
    assert (totals.orders, totals.committed, totals.received, totals.paid) == (5, 3_390_000, 2_460_000, 1_700_000)
    assert (totals.umk_share, totals.pdn_share, totals.tkdn_bmp_40_share, totals.local_share) == (
        Decimal("41.00"), Decimal("55.75"), Decimal("44.25"), Decimal("41.00"))
    # S1, S2, S3 sold; S1 is local UMK selling for the first time; S3 sold in 2025 already.
    assert (totals.suppliers, totals.local_umk_first_time, totals.umk_target) == (3, 1, 40)


def test_ranking_puts_the_best_umk_share_first(world):
    rows = spending.ranking(Filters(2026))
    assert [r.opd_id for r in rows[:2]] == [world.opd_a, world.opd_b]


def test_top_suppliers(world):
    rows = spending.top_suppliers(Filters(2026))
    # S2: 1.500.000 + 500.000; S1: 1.200.000 + 160.000; S3: 30.000.
    assert [(r.supplier_id, r.orders, r.committed) for r in rows] == [
        (world.s2, 2, 2_000_000), (world.s1, 2, 1_360_000), (world.s3, 1, 30_000)]
    assert rows[0].share == Decimal("59.00")  # 2.000.000 / 3.390.000 = 58,997…


def test_payment_timeliness(app, world):
    rows = {r.opd_id: r for r in spending.payment_timeliness(Filters(2026), date(2026, 6, 1))}
    # A: order 1 BAST 20 Jan, paid 30 Jan: 10 days; order 3 received 5 Feb, unpaid on 1 June: overdue.
    a = rows[world.opd_a]
    assert (a.paid, a.median_days, a.overdue, a.overdue_value) == (1, Decimal(10), 1, 160_000)
    b = rows[world.opd_b]  # BAST 10 March, paid 13 March
    assert (b.paid, b.median_days, b.overdue) == (1, Decimal(3), 0)
