"""Risk flags: each pattern planted in ordinary orders made through the services is
flagged with the right orders; thresholds hold at the boundary; a refresh neither
duplicates a flag nor forgets its review."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import ProductRevision, RevisionStatus
from pbj.models.flags import FlagKind, RiskFlag
from pbj.models.orders import OrderStatus
from pbj.services import flags
from pbj.services.errors import DomainError, NotAllowed
from tests import order_helpers as oh


@pytest.fixture
def p(create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def _refresh():
    counts = flags.refresh(utcnow(), city_today())
    db.session.commit()
    return counts


def _flags(kind):
    return db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == kind, RiskFlag.active.is_(True))).all()


def test_ordinary_orders_raise_no_flags(p):
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    oh.place(p, product, quantity=10)
    counts = _refresh()
    assert sum(counts.values()) == 0


def test_split_orders_under_the_limit_adding_up_above_it_are_flagged(app, p):
    app.config["PP_ORDER_LIMIT_RUPIAH"] = 1_000_000
    product = oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30)
    first = oh.place(p, product, quantity=6)    # 600.000
    # Under a second Kode RUP: each package stays under the limit, the supplier gets both.
    second = oh.place(p, product, quantity=5, rup_code="41239901")   # together 1.100.000 > 1.000.000
    _refresh()
    [flag] = _flags(FlagKind.SPLIT)
    assert flag.links["orders"] == [first.id, second.id]
    assert flag.numbers["total"] == 1_100_000


def test_split_at_exactly_the_limit_is_not_flagged(app, p):
    app.config["PP_ORDER_LIMIT_RUPIAH"] = 1_100_000
    product = oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30)
    oh.place(p, product, quantity=6)
    oh.place(p, product, quantity=5, rup_code="41239901")
    _refresh()
    assert _flags(FlagKind.SPLIT) == []


def test_split_orders_outside_the_window_are_not_flagged(app, p):
    app.config["PP_ORDER_LIMIT_RUPIAH"] = 1_000_000
    product = oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30)
    first = oh.place(p, product, quantity=6)
    oh.place(p, product, quantity=5, rup_code="41239901")
    first.submitted_at -= timedelta(days=app.config["FLAG_SPLIT_WINDOW_DAYS"] + 1)
    db.session.commit()
    _refresh()
    assert _flags(FlagKind.SPLIT) == []


def test_price_above_the_reviewed_price_is_flagged_at_the_boundary(app, p):
    product = oh.listed(p, price=125_000, stock=1000, age_hours=24 * 30)
    product.reviewed_price = 100_000  # 125 %: exactly the threshold, not above it
    db.session.commit()
    oh.place(p, product, quantity=1)
    _refresh()
    assert _flags(FlagKind.PRICE) == []
    app.config["FLAG_PRICE_REVIEWED_PERCENT"] = 24
    _refresh()
    [flag] = _flags(FlagKind.PRICE)
    assert flag.numbers["basis"] == "reviewed" and flag.links["products"] == [product.id]


def test_price_far_above_the_category_median_is_flagged(app, p):
    cheap = [oh.listed(p, f"Kertas {n}", price=50_000, stock=1000, age_hours=24 * 30) for n in range(3)]
    dear = oh.listed(p, "Kertas emas", price=100_000, stock=1000, age_hours=24 * 30, cat=cheap[0].category)
    order = oh.place(p, dear, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.PRICE)
    assert flag.links["orders"] == [order.id]
    assert flag.numbers["median"] == 50_000


def test_price_just_under_the_median_ratio_is_not_flagged_and_units_compare_whatever_their_case(app, p):
    cheap = [oh.listed(p, f"Kertas {n}", price=50_000, stock=1000, age_hours=24 * 30) for n in range(3)]
    dear = oh.listed(p, "Kertas emas", price=99_999, stock=1000, age_hours=24 * 30, cat=cheap[0].category)
    order = oh.place(p, dear, quantity=1)
    _refresh()
    assert _flags(FlagKind.PRICE) == []  # 99.999 is 199,998 % of the median 50.000: under 200 %
    # The line's unit in capitals, as no listed product spells it: still the "buah" median.
    [item] = order.items
    item.unit, item.list_price, item.agreed_price = "BUAH", 100_000, 100_000
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.PRICE)
    assert flag.links["orders"] == [order.id]
    numbers = flag.numbers
    assert (numbers["median"], numbers["percent"], numbers["unit"]) == (50_000, "200.0", "BUAH")


def test_concentration_of_a_ppk_with_one_supplier(app, p):
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 1_000_000
    product = oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30)
    order = oh.place(p, product, quantity=20)
    order.status = OrderStatus.APPROVED
    db.session.commit()
    _refresh()
    found = _flags(FlagKind.CONCENTRATION)
    assert {f.numbers["by"] for f in found} == {"ppk", "opd"}
    assert all(f.links["orders"] == [order.id] for f in found)
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 2_000_001  # the PPK spent 2.000.000: under the floor
    _refresh()
    assert _flags(FlagKind.CONCENTRATION) == []


def test_price_median_threshold_beyond_32_bit_numbers(app, p):
    app.config["FLAG_PRICE_MEDIAN_PERCENT"] = 50_000  # 500 times the median: 50.000 × 50.000 > 2³¹
    cheap = [oh.listed(p, f"Kertas {n}", price=50_000, stock=1000, age_hours=24 * 30) for n in range(3)]
    dear = oh.listed(p, "Kertas emas", price=25_000_000, stock=1000, age_hours=24 * 30, cat=cheap[0].category)
    order = oh.place(p, dear, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.PRICE)
    assert flag.links["orders"] == [order.id] and flag.numbers["percent"] == "50000.0"


def test_concentration_at_exactly_the_share_lists_that_suppliers_orders_only(app, p, create_supplier):
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 1_000_000
    other = replace(p, supplier=create_supplier())
    mostly = oh.place(p, oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30), quantity=6)  # 600.000
    rest = oh.place(other, oh.listed(other, price=100_000, stock=1000, age_hours=24 * 30), quantity=4)
    for order in (mostly, rest):
        order.status = OrderStatus.APPROVED
    db.session.commit()
    _refresh()  # 600.000 of 1.000.000: exactly 60 %
    found = _flags(FlagKind.CONCENTRATION)
    assert sorted(f.numbers["by"] for f in found) == ["opd", "ppk"]
    for flag in found:
        assert flag.links["orders"] == [mostly.id] and flag.supplier_id == p.supplier.org_id
        numbers = flag.numbers
        assert (numbers["value"], numbers["total"], numbers["orders"]) == (600_000, 1_000_000, 1)
    app.config["FLAG_CONCENTRATION_PERCENT"] = 61
    _refresh()
    assert _flags(FlagKind.CONCENTRATION) == []


def test_fast_order_after_listing(app, p):
    product = oh.listed(p, stock=1000, age_hours=30)
    order = oh.place(p, product, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    assert flag.links["orders"] == [order.id]
    app.config["FLAG_FAST_ORDER_HOURS"] = 29
    _refresh()
    assert _flags(FlagKind.FAST_ORDER) == []


def test_fast_order_window_ends_before_the_hours_limit(app, p):
    hours = app.config["FLAG_FAST_ORDER_HOURS"]
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    order = oh.place(p, product, quantity=1)
    product.published_at = order.submitted_at - timedelta(hours=hours)  # exactly the limit: not within
    db.session.commit()
    _refresh()
    assert _flags(FlagKind.FAST_ORDER) == []
    product.published_at += timedelta(microseconds=1)
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    assert flag.numbers["hours"] == f"{hours}.0" and flag.numbers["after"] == "listing"
    product.published_at = order.submitted_at + timedelta(microseconds=1)  # listed after the order
    db.session.commit()
    _refresh()
    assert _flags(FlagKind.FAST_ORDER) == []


def _decided(product, status, at):
    db.session.add(ProductRevision(product_id=product.id, status=status, submitted_at=at - timedelta(hours=1),
                                   decided_at=at, proposed_json='{"description": "Baru"}',
                                   previous_json='{"description": ""}'))
    db.session.commit()


def test_fast_order_counts_from_the_latest_approved_revision(p):
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    order = oh.place(p, product, quantity=1)
    _decided(product, RevisionStatus.APPROVED, order.submitted_at - timedelta(hours=100))
    _decided(product, RevisionStatus.APPROVED, order.submitted_at - timedelta(hours=10))
    _decided(product, RevisionStatus.REJECTED, order.submitted_at - timedelta(hours=1))  # changed nothing
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    assert flag.links["orders"] == [order.id]
    assert (flag.numbers["after"], flag.numbers["hours"]) == ("revision", "10.0")


def test_tkdn_claim_without_certificate(p):
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    product.tkdn_x100, product.tkdn_certificate = 4500, None
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.TKDN)
    assert flag.numbers["problem"] == "missing" and flag.links["products"] == [product.id]


def test_tkdn_certificate_expires_the_day_after_its_years_run_out(app, p):
    assert app.config["FLAG_TKDN_CERTIFICATE_VALID_YEARS"] == 5
    leap = oh.listed(p, "Semen A", tkdn=40, stock=1000, age_hours=24 * 30)
    march = oh.listed(p, "Semen B", tkdn=40, stock=1000, age_hours=24 * 30)
    leap.tkdn_certificate_date, march.tkdn_certificate_date = date(2024, 2, 29), date(2024, 3, 1)
    db.session.commit()

    def expired(today):
        return sorted(f.products[0] for f in flags.find_tkdn(app.config, today))

    assert expired(date(2029, 2, 28)) == []  # 29 February 2024 + 5 years: through 28 February 2029
    assert expired(date(2029, 3, 1)) == [leap.id]
    assert expired(date(2029, 3, 2)) == sorted([leap.id, march.id])


@pytest.mark.parametrize("today, first", [
    (date(2029, 3, 1), date(2024, 3, 1)),
    (date(2029, 2, 28), date(2024, 2, 28)),
    (date(2028, 2, 29), date(2023, 3, 1)),   # 28 February 2023 + 5 years is 28 February 2028
    (date(2030, 1, 1), date(2025, 1, 1)),
    (date(2030, 12, 31), date(2025, 12, 31)),
])
def test_first_valid_certificate_date(today, first):
    assert flags._first_valid_certificate_date(today, 5) == first
    assert flags._add_years(first, 5) >= today > flags._add_years(first - timedelta(days=1), 5)


@pytest.mark.parametrize("official, contact", [
    ("Drs. H. Ahmad Yani, S.E., M.M.", "ahmad  yani"),
    ("Hj. Siti Aminah S.Pd.", "SITI AMINAH"),
])
def test_names_match_leniently(official, contact):
    assert flags.normal_name(official) == flags.normal_name(contact)


def test_different_names_do_not_match():
    assert flags.normal_name("Ahmad Yani") != flags.normal_name("Ahmad Yanto")


def test_conflict_of_interest_supplier_contact_named_as_the_ppk(p):
    p.supplier.name = "Ir. " + p.ppk.name.upper() + ", M.T."
    db.session.commit()
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    order = oh.place(p, product, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.CONFLICT)
    assert flag.links["orders"] == [order.id]
    assert p.ppk.id in flag.links["users"]


def test_refresh_keeps_one_flag_and_its_review(app, p, create_user):
    auditor = create_user(Role.AUDITOR)
    product = oh.listed(p, stock=1000, age_hours=30)
    oh.place(p, product, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    flags.review(flag, auditor, "Checked the listing: an urgent need, documented.", utcnow())
    db.session.commit()
    _refresh()
    [again] = _flags(FlagKind.FAST_ORDER)
    assert again.id == flag.id and again.reviewed
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "flag.reviewed")).one()
    assert entry.object_type == "risk_flags" and entry.object_id == str(flag.id)
    assert entry.detail_data["note"].startswith("Checked the listing")
    # The pattern gone: the flag stays, inactive, still reviewed.
    app.config["FLAG_FAST_ORDER_HOURS"] = 1
    _refresh()
    kept = db.session.get(RiskFlag, flag.id)
    assert kept is not None and not kept.active and kept.reviewed


def test_a_flag_found_again_is_active_again_with_its_review_and_new_numbers(app, p, create_user):
    product = oh.listed(p, stock=1000, age_hours=30)
    oh.place(p, product, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    first_found = flag.first_found_at
    flags.review(flag, create_user(Role.AUDITOR), "Listed for an urgent need.", utcnow())
    db.session.commit()
    assert flag.active
    app.config["FLAG_FAST_ORDER_HOURS"] = 1
    flags.refresh(utcnow(), city_today())  # not committed: the objects already loaded see it too
    assert not flag.active
    db.session.commit()
    app.config["FLAG_FAST_ORDER_HOURS"] = 72
    _refresh()
    [again] = _flags(FlagKind.FAST_ORDER)
    assert again.id == flag.id and again.reviewed and again.first_found_at == first_found
    assert again.numbers["threshold"] == 72


def test_only_an_auditor_reviews_and_a_note_is_required(p, create_user):
    product = oh.listed(p, stock=1000, age_hours=30)
    oh.place(p, product, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.FAST_ORDER)
    with pytest.raises(NotAllowed):
        flags.review(flag, p.admin, "A note", utcnow())
    with pytest.raises(DomainError):
        flags.review(flag, create_user(Role.AUDITOR), "   ", utcnow())


def _received(p, product, quantity=10, *, late_days=0, waive=False):
    """An order through the services up to its BAST (late by `late_days`, waived if asked)."""
    order = oh.place(p, product, quantity=quantity)
    from pbj.services import orders as order_service

    order_service.confirm(p.supplier, order, utcnow())
    order_service.approve(p.ppk, order, utcnow(), oh.today())
    item = order.items[0]
    order_service.ship(p.supplier, order, {item.id: quantity}, "SJ-1", oh.today(), "", utcnow(), oh.today())
    order.needed_by = oh.today() - timedelta(days=late_days)
    order_service.sign_handover(p.ppk, order, {item.id: quantity}, "", oh.today(), None, utcnow(), oh.today(),
                                waive_penalty=waive, waiver_reason="Banjir menutup jalan (keadaan kahar)" if waive
                                else "")
    db.session.commit()
    return order


def test_a_waived_late_penalty_is_flagged_with_its_order(p):
    product = oh.listed(p, price=100_000, stock=None, age_hours=24 * 30)
    on_time = _received(p, product)
    waived = _received(p, product, late_days=3, waive=True)
    _refresh()
    [flag] = _flags(FlagKind.PENALTY_WAIVED)
    assert flag.links["orders"] == [waived.id] and on_time.id not in flag.links["orders"]
    assert flag.numbers["computed"] == 3_000  # 1.000.000 × 3 ‰, computed and waived
    assert flags.for_order(waived) == [flag] and flags.for_order(on_time) == []


def test_a_received_order_unpaid_past_the_deadline_is_flagged(app, p):
    product = oh.listed(p, price=100_000, stock=None, age_hours=24 * 30)
    paid_soon = _received(p, product)
    overdue = _received(p, product)
    # Received long before the payment deadline (working days) ran out; the other just now.
    overdue.received_at = utcnow() - timedelta(days=3 * app.config["PAYMENT_DUE_WORKING_DAYS"])
    db.session.commit()
    _refresh()
    assert [flag.links["orders"] for flag in _flags(FlagKind.LATE_PAYMENT)] == [[overdue.id]]
    assert paid_soon.status is OrderStatus.RECEIVED  # not yet due: no flag


def test_orders_down_a_preference_tier_are_grouped_by_ppk_and_ground(app, p):
    least = app.config["FLAG_PREFERENCE_MIN_ORDERS"]
    product = oh.listed(p, price=100_000, stock=None, age_hours=24 * 30)
    down = [oh.place(p, product, quantity=1) for _ in range(least)]
    for order in down:  # the buyer's ground, as checkout records it when a higher tier is listed
        order.preference_ground, order.preference_explanation = "price", "Harga produk lain jauh lebih mahal."
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.PREFERENCE)
    assert flag.links["orders"] == [o.id for o in down] and flag.numbers["ground"] == "price"
    assert flag.links["users"] == [p.ppk.id]
