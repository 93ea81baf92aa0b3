"""Risk flags: each pattern planted in ordinary orders made through the services is
flagged with the right orders; thresholds hold at the boundary; a refresh neither
duplicates a flag nor forgets its review."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from pbj.clock import city_today, utcnow
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import ProductRevision, RevisionStatus
from pbj.models.flags import FlagKind, RiskFlag
from pbj.models.orders import OrderStatus
from pbj.services import accounts, flags, identity, suppliers
from pbj.services.errors import DomainError, NotAllowed
from tests import catalogue_helpers as h
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
    app.config["FLAG_PRICE_MEDIAN_PERCENT"] = 200  # twice the median, so the figures stay round
    cheap = [oh.listed(p, f"Kertas {n}", price=50_000, stock=1000, age_hours=24 * 30) for n in range(3)]
    dear = oh.listed(p, "Kertas emas", price=100_000, stock=1000, age_hours=24 * 30, cat=cheap[0].category)
    order = oh.place(p, dear, quantity=1)
    _refresh()
    [flag] = _flags(FlagKind.PRICE)
    assert flag.links["orders"] == [order.id]
    assert flag.numbers["median"] == 50_000


def test_price_just_under_the_median_ratio_is_not_flagged_and_units_compare_whatever_their_case(app, p):
    app.config["FLAG_PRICE_MEDIAN_PERCENT"] = 200  # twice the median, so the figures stay round
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


@pytest.mark.parametrize("name, kind", [
    ("Kursi Rapat Rotan", "kursi"), ("KURSI, lipat", "kursi"),
    ("Beras Premium Lokal 25 kg", "beras 25kg"), ("Beras Medium 5kg", "beras 5kg"),
    ("Air Mineral 600 ml isi 24", "air 600ml"), ("Minyak Goreng 2 Liter", "minyak 2l"), ("Minyak 2 lt", "minyak 2l"),
    ("Kopi Bubuk 250 gr", "kopi 250g"), ("Kopi Bubuk 250 gram", "kopi 250g"), ("Monitor 23,8 inch", "monitor 23.8inch"),
    ("", ""),
])
def test_the_kind_of_a_product_is_its_first_word_and_sizes(name, kind):
    assert flags.product_kind(name) == kind


def test_price_is_compared_with_the_same_kind_of_product(app, p):
    """A mouse and a laptop are both electronics per buah: the laptop is compared with laptops."""
    app.config["FLAG_PRICE_MEDIAN_PERCENT"] = 200
    cat = h.category("Elektronik", parent="Kantor")
    for n in range(3):
        oh.listed(p, f"Mouse Kabel {n}", price=50_000, stock=1000, age_hours=24 * 30, cat=cat)
        oh.listed(p, f"Laptop Kantor {n}", price=7_000_000, stock=1000, age_hours=24 * 30, cat=cat)
    usual = oh.listed(p, "Laptop Pelajar", price=8_000_000, stock=1000, age_hours=24 * 30, cat=cat)
    dear = oh.listed(p, "LAPTOP, Gaming", price=14_000_000, stock=1000, age_hours=24 * 30, cat=cat)
    oh.place(p, usual, quantity=1)
    dear_order = oh.place(p, dear, quantity=1)
    _refresh()
    # The laptops' median: 7.000.000, 7.000.000, 7.000.000, 8.000.000, 14.000.000 → 7.000.000;
    # 14.000.000 is 200 % of it, 8.000.000 is 114 % (the whole category's median, 50.000, would
    # flag both).
    [flag] = _flags(FlagKind.PRICE)
    assert flag.links["orders"] == [dear_order.id]
    assert (flag.numbers["median"], flag.numbers["kind"], flag.numbers["peers"]) == (7_000_000, "laptop", 5)


def test_concentration_of_a_ppk_with_one_supplier(app, p):
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 1_000_000
    product = oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30)
    placed = [oh.place(p, product, quantity=7) for _ in range(3)]   # 3 × 700.000 = 2.100.000
    for order in placed:
        order.status = OrderStatus.APPROVED
    db.session.commit()
    _refresh()
    found = _flags(FlagKind.CONCENTRATION)
    assert {f.numbers["by"] for f in found} == {"ppk", "opd"}
    assert all(f.links["orders"] == [o.id for o in placed] and f.numbers["orders"] == 3 for f in found)
    app.config["FLAG_CONCENTRATION_MIN_ORDERS"] = 4  # three orders are not yet a favourite at four
    _refresh()
    assert _flags(FlagKind.CONCENTRATION) == []
    app.config["FLAG_CONCENTRATION_MIN_ORDERS"] = 3
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 2_100_001  # the PPK spent 2.100.000: under the floor
    _refresh()
    assert _flags(FlagKind.CONCENTRATION) == []


def test_one_big_purchase_is_not_a_concentration(app, p):
    app.config["FLAG_CONCENTRATION_MIN_RUPIAH"] = 1_000_000
    order = oh.place(p, oh.listed(p, price=100_000, stock=1000, age_hours=24 * 30), quantity=20)
    order.status = OrderStatus.APPROVED
    db.session.commit()
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
    app.config["FLAG_CONCENTRATION_MIN_ORDERS"] = 1  # the share's boundary alone
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


# -- TKDN: an expired certificate, a claim changed by an approved revision ------------------

def test_tkdn_certificate_older_than_its_validity_is_flagged_at_the_boundary(app, p):
    years = app.config["FLAG_TKDN_CERTIFICATE_VALID_YEARS"]
    today = city_today()
    still_valid = oh.listed(p, name="Kursi Rotan", stock=10, age_hours=24 * 30)
    expired = oh.listed(p, name="Meja Rotan", stock=10, age_hours=24 * 30)
    for product, dated in ((still_valid, flags._add_years(today, -years)),          # valid up to today itself
                           (expired, flags._add_years(today, -years) - timedelta(days=1))):
        product.tkdn_x100, product.tkdn_certificate, product.tkdn_certificate_date = 4500, "TKDN-7/2020", dated
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.TKDN)
    assert flag.numbers["problem"] == "expired" and flag.links["products"] == [expired.id]
    assert flag.numbers["certificate_date"] == expired.tkdn_certificate_date.isoformat()


def test_a_tkdn_claim_changed_by_an_approved_revision_is_flagged(p):
    from pbj.services import catalogue, revisions

    product = oh.listed(p, name="Kursi Rotan", stock=10, age_hours=24 * 30)
    data = {name: getattr(product, name) for name in (
        "category_id", "name", "unit", "unit_price", "description", "min_order", "stock", "lead_time_days",
        "delivery_area", "bmp_x100", "tkdn_ik", "siinas", "siinas_number", "is_pdn", "origin")}
    result = catalogue.update_product(p.supplier, product, catalogue.ProductData(
        **data, certifications=product.certification_list, tkdn_x100=4000, tkdn_certificate="TKDN-12/2026",
        tkdn_certificate_date=city_today()), now=utcnow())
    db.session.commit()
    _refresh()
    assert _flags(FlagKind.TKDN) == []  # proposed, not yet approved
    revisions.approve_revision(p.admin, result.revision, utcnow())
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.TKDN)
    assert flag.numbers == {"problem": "changed", "old": "0", "new": "40"}
    assert flag.links["products"] == [product.id] and flag.supplier_id == p.supplier.org_id


# -- Conflict of interest: every basis the check compares ------------------------------------

@pytest.mark.parametrize("norm, a, b", [
    (identity.normal_phone, "+62 812-5678-9012", "0812 5678 9012"),
    (identity.normal_phone, "(0562) 631234", "0562631234"),
    (identity.normal_npwp, "01.234.567.8-901.000", "0012345678901000"),   # 15 digits and its 16-digit form
    (identity.normal_address, "Jl. Diponegoro No. 12, Kota Singkawang", "JALAN DIPONEGORO NOMOR 12 Singkawang"),
    (identity.normal_address, "Gg. Mawar 3, Kel. Roban", "Gang Mawar 3 Kelurahan Roban"),
    (identity.normal_account, "1234-01-000567-50-9", "123401000567509"),
])
def test_values_written_differently_match(norm, a, b):
    assert norm(a) and norm(a) == norm(b)


@pytest.mark.parametrize("norm, a, b", [
    (identity.normal_phone, "0812 5678 9012", "0812 5678 9013"),
    (identity.normal_npwp, "012345678901000", "012345678901001"),
    (identity.normal_address, "Jl. Diponegoro No. 12 Singkawang", "Jl. Diponegoro No. 21 Singkawang"),
    (identity.normal_account, "123401000567509", "123401000567508"),
])
def test_different_values_do_not_match(norm, a, b):
    assert norm(a) != norm(b)


@pytest.mark.parametrize("norm, value", [
    (identity.normal_phone, "123"), (identity.normal_npwp, "12345"), (identity.normal_address, "Jl. Niaga"),
    (identity.normal_account, "12-34"), (identity.normal_phone, None), (identity.normal_address, ""),
])
def test_too_little_to_compare_matches_nothing(norm, value):
    assert norm(value) == ""


def _conflict_order(p):
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    return oh.place(p, product, quantity=1)


def test_conflict_supplier_account_with_the_officials_email(p, create_user):
    order = _conflict_order(p)
    p.ppk.email = "ppk.pribadi@contoh.id"
    p.supplier.email = "PPK.Pribadi@contoh.id"  # the same address, written in capitals
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.CONFLICT)
    assert flag.numbers["basis"] == "email" and flag.links["orders"] == [order.id]
    assert flag.links["users"] == sorted([p.ppk.id, p.supplier.id])


@pytest.mark.parametrize("basis, official_value, supplier_value", [
    ("phone", "+62 812-5678-9012", "0812 5678 9012"),
    ("address", "Jalan Diponegoro Nomor 12, Singkawang", "Jl. Diponegoro No. 12 Singkawang"),
    ("npwp", "01.234.567.8-901.000", "0012345678901000"),
    ("bank_account", "1234 0100 0567 509", "1234-0100-0567-509"),
])
def test_conflict_supplier_business_data_matching_the_ppks_particulars(p, basis, official_value, supplier_value):
    order = _conflict_order(p)
    other_ppk_order = _conflict_order(p)
    profile = p.supplier.org.supplier
    particulars = {"phone": None, "address": None, "npwp": None, "bank_account": None, basis: official_value}
    accounts.set_particulars(p.admin, p.ppk, **particulars)
    if basis == "bank_account":
        suppliers.update_owner_and_bank(p.supplier, profile, "Pemilik Usaha", "Bank Kalbar", supplier_value)
    else:
        setattr(profile, basis, supplier_value)
    other_ppk_order.ppk_id = p.admin.id  # approved by someone else: not between them
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.CONFLICT)
    # What the supplier's record holds (an account number is kept as its digits).
    stored = "123401000567509" if basis == "bank_account" else supplier_value
    assert getattr(profile, basis) == stored
    assert flag.numbers["basis"] == basis and flag.numbers["matched"] == stored
    assert flag.links["orders"] == [order.id] and flag.links["users"] == [p.ppk.id]
    assert flag.opd_id == p.ppk.org_id and flag.supplier_id == profile.org_id


def test_conflict_supplier_owner_named_as_the_treasurer_who_paid(p):
    paid = _received(p, oh.listed(p, price=100_000, stock=None, age_hours=24 * 30))
    from pbj.services import orders as order_service

    order_service.record_payment(p.bendahara, paid, oh.today(), "SP2D-77", order_service.tax_breakdown(paid).net,
                                 utcnow(), oh.today())
    suppliers.update_owner_and_bank(p.supplier, p.supplier.org.supplier, "Hj. " + p.bendahara.name + ", S.E.",
                                    "", "")
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.CONFLICT)
    assert flag.numbers["basis"] == "owner" and flag.links["orders"] == [paid.id]
    assert flag.links["users"] == [p.bendahara.id]


def test_particulars_left_empty_match_nothing(p):
    _conflict_order(p)
    accounts.set_particulars(p.admin, p.ppk, "", "", "", "")
    p.supplier.org.supplier.address = ""
    db.session.commit()
    _refresh()
    assert _flags(FlagKind.CONFLICT) == []


# -- Late payment: paid after the due day ----------------------------------------------------

def test_a_payment_after_the_due_day_is_flagged_and_one_on_it_is_not(app, p):
    from pbj.models.holidays import Holiday, HolidayKind
    from pbj.services import orders as order_service

    app.config["PAYMENT_DUE_WORKING_DAYS"] = 3
    product = oh.listed(p, price=100_000, stock=None, age_hours=24 * 30)
    on_time, late = _received(p, product), _received(p, product)
    # Received on Thursday 5 November 2026 (noon in Singkawang, 05:00 UTC); Monday 9 November
    # is a holiday. Working days after: Fri 6, Tue 10, Wed 11: due on Wednesday 11 November.
    db.session.add(Holiday(day=date(2026, 11, 9), name="Hari uji", kind=HolidayKind.REGIONAL))
    for order, paid_on in ((on_time, date(2026, 11, 11)), (late, date(2026, 11, 13))):
        order.received_at = datetime(2026, 11, 5, 5, 0)
        order_service.record_payment(p.bendahara, order, paid_on, "SP2D-1", order_service.tax_breakdown(order).net,
                                     utcnow(), oh.today())
    db.session.commit()
    _refresh()
    [flag] = _flags(FlagKind.LATE_PAYMENT)
    assert flag.links["orders"] == [late.id]
    assert flag.numbers == {"received_on": "2026-11-05", "days": 3, "due_on": "2026-11-11", "paid_on": "2026-11-13",
                            "working_days_late": 2}  # Thursday 12 and Friday 13
