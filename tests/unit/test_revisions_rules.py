"""Every change to a published product is reviewed (issue 10, section 1), and TKDN counts
only with a certificate number and date (section 3). Services only, both databases."""
from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.catalogue import (
    Preference,
    Product,
    ProductRevision,
    ProductStatus,
    RevisionStatus,
    preference_of,
)
from pbj.models.orders import Notification
from pbj.services import audit, catalogue, revisions
from pbj.services.errors import DomainError, NotAllowed, WrongState
from tests import catalogue_helpers as h
from tests import order_helpers as oh
from tests.refusals import refused

T0 = datetime(2026, 11, 2, 2, 0)  # a Monday, 09:00 WIB


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def owner(create_supplier, admin):
    return h.verified(create_supplier(with_document=True), admin)


def as_is(product: Product, **changes) -> catalogue.ProductData:
    """The product's public values as the form would send them, with `changes`."""
    values = {name: getattr(product, name) for name in (
        "category_id", "name", "unit", "unit_price", "description", "min_order", "stock", "lead_time_days",
        "delivery_area", "tkdn_x100", "bmp_x100", "tkdn_certificate", "tkdn_certificate_date", "tkdn_ik",
        "siinas", "siinas_number", "is_pdn", "origin")}
    values["certifications"] = product.certification_list
    values.update(changes)
    return catalogue.ProductData(**values)


def published(owner, admin, price=100_000, **kw) -> Product:
    return h.product(owner, admin, "Pensil 2B Kayu", price=price, cat=h.category("Alat Tulis", parent="Kantor"),
                     **kw)


# -- What becomes a revision, what applies at once: a hand-worked table ----------------------
# The product: "Pensil 2B Kayu", Rp 100.000 (also its reviewed price), stock 10, minimum
# order 1, lead time 1 day, no TKDN, domestic, origin Singkawang; PRICE_RISE_REVIEW_PERCENT 10.

CERTIFIED = dict(tkdn_x100=4500, tkdn_certificate="IK.0001/2026", tkdn_certificate_date=date(2026, 3, 2))
TABLE = [
    # (what changes, changes, fields in the revision, fields applied at once)
    ("stock falls", dict(stock=3), [], ["stock"]),
    ("made to order", dict(stock=None), [], ["stock"]),
    ("minimum order", dict(min_order=5), [], ["min_order"]),
    ("lead time", dict(lead_time_days=7), [], ["lead_time_days"]),
    ("delivery area", dict(delivery_area="Kalimantan Barat"), [], ["delivery_area"]),
    ("price falls 10 %", dict(unit_price=90_000), [], ["unit_price"]),
    ("price rises exactly 10 %", dict(unit_price=110_000), [], ["unit_price"]),
    ("price rises 10,001 %", dict(unit_price=110_001), ["unit_price"], []),
    ("name", dict(name="Pensil 2B Premium"), ["name"], []),
    ("unit", dict(unit="lusin"), ["unit"], []),
    ("description", dict(description="Isi 12"), ["description"], []),
    ("origin", dict(origin="Pontianak"), ["origin"], []),
    ("imported", dict(is_pdn=False), ["is_pdn"], []),
    ("TKDN without a certificate", dict(tkdn_x100=6000), ["tkdn_x100"], []),
    ("a TKDN certificate", CERTIFIED, ["tkdn_certificate", "tkdn_certificate_date", "tkdn_x100"], []),
    ("SIINas", dict(siinas=True, siinas_number="SI-77"), ["siinas", "siinas_number"], []),
    ("certifications", dict(certifications=["SNI"]), ["certifications"], []),
    ("stock and name together", dict(stock=50, name="Pensil 2B Isi 50"), ["name"], ["stock"]),
    ("price rise and lower stock", dict(unit_price=150_000, stock=2), ["unit_price"], ["stock"]),
]


@pytest.mark.parametrize("what, changes, reviewed, at_once", TABLE, ids=[row[0] for row in TABLE])
def test_what_waits_for_review_and_what_applies_at_once(app, owner, admin, what, changes, reviewed, at_once):
    product = published(owner, admin)
    before = catalogue.field_values(product)
    result = catalogue.update_product(owner, product, as_is(product, **changes))
    db.session.flush()
    assert sorted(result.applied) == sorted(at_once)
    for name in at_once:
        assert getattr(product, name) == changes[name]
    if reviewed:
        assert sorted(result.revision.proposed) == sorted(reviewed)
        for name in reviewed:
            shown = changes[name].isoformat() if isinstance(changes[name], date) else changes[name]
            assert result.revision.proposed[name] == (" ".join(shown) if name == "certifications" else shown)
    else:
        assert result.revision is None
    # Whatever waits, the public product is still the reviewed one.
    now = catalogue.field_values(product)
    assert {k: v for k, v in now.items() if k != "unit_price"} == {k: v for k, v in before.items()
                                                                  if k != "unit_price"}
    assert product.status is ProductStatus.PUBLISHED


def test_a_category_change_is_a_revision(app, owner, admin):
    product = published(owner, admin)
    other = h.category("Kertas", parent="Kantor")
    result = catalogue.update_product(owner, product, as_is(product, category_id=other.id))
    assert list(result.revision.proposed) == ["category_id"] and product.category_id != other.id


@pytest.mark.parametrize("new, current, reviewed, limit, waits", [
    (110_000, 100_000, 100_000, 10, False),  # exactly the step
    (110_001, 100_000, 100_000, 10, True),   # one rupiah more
    (105_000, 100_000, 100_000, 10, False),  # 5 %
    (110_000, 105_000, 100_000, 10, False),  # 4,76 % on today's price, 10 % on the reviewed one
    (115_000, 110_000, 100_000, 10, True),   # 4,55 % on today's price, 15 % on the reviewed one
    (110_250, 105_000, 100_000, 10, True),   # 5 % on 5 %: 10,25 % on the reviewed price
    (95_000, 100_000, 100_000, 10, False),   # a fall never waits
    (120_000, 90_000, 100_000, 10, True),    # after a fall: 20 % above the reviewed price
    (105_001, 100_000, 100_000, 5, True),    # the step is configuration
    (10_500, 10_000, None, 10, False),       # never reviewed yet: measured from today's price
])
def test_price_step_measured_from_the_last_reviewed_price(new, current, reviewed, limit, waits):
    assert revisions.price_needs_review(new, current, reviewed, limit) is waits


def test_three_rises_of_five_percent_the_third_crosses_the_ten_percent_step(app, owner, admin):
    # Rp 5.000 (5 % of the reviewed Rp 100.000) each time. Measured from the price before
    # each step, none is above 10 % (5 %, 4,76 %, 4,55 %): the rule the issue found walked around.
    product = published(owner, admin)
    first = catalogue.update_product(owner, product, as_is(product, unit_price=105_000))
    second = catalogue.update_product(owner, product, as_is(product, unit_price=110_000))
    third = catalogue.update_product(owner, product, as_is(product, unit_price=115_000))
    assert (first.revision, second.revision) == (None, None)
    assert third.revision is not None and third.revision.proposed == {"unit_price": 115_000}
    assert (product.unit_price, product.reviewed_price) == (110_000, 100_000)
    revisions.approve_revision(admin, third.revision, T0)
    assert (product.unit_price, product.reviewed_price) == (115_000, 115_000)  # the new base
    assert catalogue.update_product(owner, product, as_is(product, unit_price=126_500)).revision is None


# -- The #1007 story ------------------------------------------------------------------------

def story_product(owner, admin) -> Product:
    """TKDN 5,31 % with a certificate: certified TKDN below 25 %."""
    product = h.product(owner, admin, "Kursi Rapat Rotan", price=500_000, cat=h.category("Kursi", parent="Mebel"),
                        publish=False)
    catalogue.update_product(owner, product, as_is(product, tkdn_x100=531, tkdn_certificate="TKDN-1007/2025",
                                                   tkdn_certificate_date=date(2025, 6, 2)))
    catalogue.submit_product(owner, product)
    catalogue.approve_product(admin, product)
    product.published_at = T0 - timedelta(days=30)
    db.session.commit()
    return product


def story_edit(owner, product):
    """TKDN 60 % with no certificate number, renamed, price up 10 %."""
    return catalogue.update_product(owner, product, as_is(
        product, name="Kursi Rapat Rotan Premium", tkdn_x100=6000, tkdn_certificate=None,
        tkdn_certificate_date=None, unit_price=550_000), now=T0)


def test_1007_the_reviewed_version_stays_on_sale_at_its_old_rank(app, owner, admin):
    product = story_product(owner, admin)
    assert (product.preference, product.priority) == (Preference.TKDN_LOW, 30)
    result = story_edit(owner, product)
    db.session.commit()
    fresh = db.session.get(Product, product.id)
    assert (fresh.name, fresh.tkdn_x100, fresh.tkdn_certificate) == ("Kursi Rapat Rotan", 531, "TKDN-1007/2025")
    assert (fresh.preference, fresh.status) == (Preference.TKDN_LOW, ProductStatus.PUBLISHED)
    assert fresh.unit_price == 550_000  # 10 % is within the step: applies at once
    assert sorted(result.revision.proposed) == ["name", "tkdn_certificate", "tkdn_certificate_date", "tkdn_x100"]
    assert revisions.pending_revision(fresh) == result.revision
    entry = audit.entries_for("products", product.id)[-2]
    assert entry.action == "product.revision_submitted" and entry.detail_data["revision_id"] == result.revision.id


def test_1007_approved_the_change_is_public_and_the_listing_clock_restarts(
        app, owner, admin, pinned_clock, create_org, create_user):
    product = story_product(owner, admin)
    result = story_edit(owner, product)
    approved_at = T0 + timedelta(hours=2)
    pinned_clock(approved_at)
    assert revisions.approve_revision(admin, result.revision, approved_at) is True
    db.session.commit()
    assert (product.name, product.tkdn_x100, product.published_at) == ("Kursi Rapat Rotan Premium", 6000, approved_at)
    # 60 % without a certificate does not count: uncertified domestic, not the top rank.
    assert product.preference == Preference.DOMESTIC
    assert result.revision.status is RevisionStatus.APPROVED and result.revision.decided_by_id == admin.id
    assert db.session.scalars(sa.select(Notification.event).where(Notification.user_id == owner.id)
                              .order_by(Notification.id)).all() == ["product.published", "product.revision_approved"]
    # Checkout refuses it for LISTING_MIN_AGE_HOURS (24 h) from the approval.
    buyer_org = create_org(name="Dinas Uji", code="UJI")
    pp = create_user(Role.PP, org=buyer_org)
    ppk = create_user(Role.PPK, org=buyer_org)
    p = oh.Parties("UJI", pp, ppk, None, owner, admin)
    pinned_clock(approved_at + timedelta(hours=23))
    with refused(DomainError, "%(name)s was listed less than %(hours)s hours ago and cannot be ordered yet."):
        oh.place(p, product, quantity=1)
    db.session.rollback()
    assert approved_at + timedelta(hours=app.config["LISTING_MIN_AGE_HOURS"]) == approved_at + timedelta(hours=24)


def test_1007_rejected_the_old_version_stays_with_the_reason(app, owner, admin):
    product = story_product(owner, admin)
    result = story_edit(owner, product)
    with refused(DomainError, "Give a reason the supplier can act on.", field="reason"):
        revisions.reject_revision(admin, result.revision, "  ", T0)
    revisions.reject_revision(admin, result.revision, "Nomor sertifikat TKDN tidak ada.", T0)
    db.session.commit()
    assert (product.name, product.tkdn_x100, product.preference) == ("Kursi Rapat Rotan", 531, Preference.TKDN_LOW)
    assert revisions.latest_decided(product).reason == "Nomor sertifikat TKDN tidak ada."
    assert revisions.pending_revision(product) is None
    with refused(WrongState, "This change was already decided or replaced by a newer one; nothing was done."):
        revisions.approve_revision(admin, result.revision, T0)


def test_the_dummy_then_morph_trick_fails(app, owner, admin, pinned_clock):
    # Publish a harmless dummy, let it age past the listing age, then turn it into something else.
    dummy = published(owner, admin, price=2_000)
    dummy.published_at = T0 - timedelta(days=3)
    db.session.commit()
    laptop = h.category("Laptop", parent="Elektronik")
    result = catalogue.update_product(owner, dummy, as_is(dummy, name="Laptop Core i7", category_id=laptop.id,
                                                          unit="unit", unit_price=18_000_000), now=T0)
    assert (dummy.name, dummy.unit_price, dummy.published_at) == ("Pensil 2B Kayu", 2_000, T0 - timedelta(days=3))
    assert sorted(result.revision.proposed) == ["category_id", "name", "unit", "unit_price"]
    revisions.approve_revision(admin, result.revision, T0 + timedelta(hours=1))
    assert dummy.published_at == T0 + timedelta(hours=1)  # the age it had built up is gone


def test_an_approved_change_that_keeps_name_category_and_unit_keeps_the_clock(app, owner, admin):
    product = published(owner, admin)
    product.published_at = listed = T0 - timedelta(days=5)
    result = catalogue.update_product(owner, product, as_is(product, description="Isi 12 batang", **CERTIFIED))
    assert revisions.approve_revision(admin, result.revision, T0) is False
    assert product.published_at == listed
    assert (product.preference, product.tkdn_x100) == (Preference.TKDN_BMP_40, 4500)


# -- One pending revision per product ------------------------------------------------------

def test_a_new_edit_replaces_the_pending_revision_and_is_recorded(app, owner, admin):
    product = published(owner, admin)
    first = catalogue.update_product(owner, product, as_is(product, name="Pensil A")).revision
    same = catalogue.update_product(owner, product, as_is(product, name="Pensil A", stock=4)).revision
    assert same is first  # the same change again (with a stock change) keeps it
    second = catalogue.update_product(owner, product, as_is(product, name="Pensil B")).revision
    db.session.flush()
    assert (first.status, second.status) == (RevisionStatus.REPLACED, RevisionStatus.PENDING)
    entry = [e for e in audit.entries_for("products", product.id) if e.action == "product.revision_submitted"][-1]
    assert entry.detail_data["replaced_revision_id"] == first.id
    with refused(WrongState, "This change was already decided or replaced by a newer one; nothing was done."):
        revisions.approve_revision(admin, first, T0)
    # Editing back to the public version withdraws it.
    result = catalogue.update_product(owner, product, as_is(product))
    assert result.withdrawn and second.status is RevisionStatus.WITHDRAWN
    assert revisions.pending_revision(product) is None


def test_the_database_holds_one_pending_revision_per_product(app, owner, admin):
    product = published(owner, admin)
    for _ in range(2):
        db.session.add(ProductRevision(product=product, proposed_json="{}", previous_json="{}"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_archiving_withdraws_the_pending_revision(app, owner, admin):
    product = published(owner, admin)
    revision = catalogue.update_product(owner, product, as_is(product, name="Pensil Baru")).revision
    catalogue.archive_product(owner, product)
    assert revision.status is RevisionStatus.WITHDRAWN


def test_only_admins_decide_and_drafts_are_edited_directly(app, owner, admin):
    product = published(owner, admin)
    revision = catalogue.update_product(owner, product, as_is(product, name="Pensil Baru")).revision
    with pytest.raises(NotAllowed):
        revisions.approve_revision(owner, revision, T0)
    with pytest.raises(NotAllowed):
        revisions.reject_revision(owner, revision, "x", T0)
    draft = h.product(owner, admin, "Draf", publish=False)
    assert catalogue.update_product(owner, draft, as_is(draft, name="Draf Baru", tkdn_x100=9000)) is None
    assert (draft.name, draft.tkdn_x100) == ("Draf Baru", 9000)


def test_an_admin_edit_on_behalf_is_a_revision_too(app, owner, admin):
    product = published(owner, admin)
    revision = catalogue.update_product(admin, product, as_is(product, name="Pensil Atas Nama")).revision
    assert revision.on_behalf and product.name == "Pensil 2B Kayu"


# -- TKDN certificates, TKDN-IK and SIINas ---------------------------------------------------

RANKS = [
    # (TKDN %, BMP %, PDN, certificate number, certificate date, SIINas, rank)
    (45, 0, True, "C-1", date(2026, 1, 5), False, Preference.TKDN_BMP_40),
    (30, 10, True, "C-1", date(2026, 1, 5), False, Preference.TKDN_BMP_40),
    (30, 5, True, "C-1", date(2026, 1, 5), False, Preference.TKDN_25),
    (25, 0, True, "C-1", date(2026, 1, 5), True, Preference.TKDN_25),
    (24.99, 15, True, "C-1", date(2026, 1, 5), False, Preference.TKDN_LOW),  # 39,99 % < 40, 24,99 < 25
    (5.31, 0, True, "C-1", date(2025, 6, 2), False, Preference.TKDN_LOW),
    (60, 15, True, None, None, False, Preference.DOMESTIC),   # no certificate: TKDN does not count
    (60, 15, True, None, None, True, Preference.SIINAS),
    (0, 0, True, None, None, False, Preference.DOMESTIC),
    (90, 0, False, "C-1", date(2026, 1, 5), True, Preference.IMPORT),
]


@pytest.mark.parametrize("tkdn, bmp, pdn, number, issued, siinas, rank", RANKS)
def test_rank_counts_tkdn_only_with_a_certificate_number_and_date(tkdn, bmp, pdn, number, issued, siinas, rank):
    certified = bool(number) and issued is not None
    assert preference_of(round(tkdn * 100), bmp * 100, pdn, tkdn_certified=certified, siinas=siinas) is rank


def _migration():
    path = next(Path(__file__).parents[2].glob("migrations/versions/*_a1e0c0de0001_product_revisions.py"))
    spec = importlib.util.spec_from_file_location("product_revisions_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_sql_ranks_agree_with_python(app, owner, admin):
    # The data migration recomputes every product's rank in SQL: its twin must agree.
    made = []
    for i, (tkdn, bmp, pdn, number, issued, siinas, rank) in enumerate(RANKS):
        product = h.product(owner, admin, f"Produk {i}", publish=False, pdn=pdn, siinas=siinas, certified=False)
        catalogue.update_product(owner, product, as_is(product, tkdn_x100=round(tkdn * 100), bmp_x100=bmp * 100,
                                                       tkdn_certificate=number, tkdn_certificate_date=issued))
        made.append((product, rank))
    # A certificate number without a date cannot be entered, but old rows have exactly that.
    legacy = h.product(owner, admin, "Lama", publish=False, tkdn=50)
    legacy.tkdn_certificate_date = None
    catalogue._refresh_rank(legacy, legacy.supplier)
    made.append((legacy, Preference.DOMESTIC))
    db.session.flush()
    sql = _migration().PREFERENCE_SQL
    for product, rank in made:
        assert product.preference == rank, product.name
        in_sql = db.session.scalar(sa.text(f"SELECT {sql} FROM products WHERE id = :id"), {"id": product.id})
        assert in_sql == rank, product.name


def test_certificate_fields_are_checked(app, owner, admin):
    product = h.product(owner, admin, "Kopi", publish=False)
    with refused(DomainError, "Enter the date the TKDN certificate was issued: without it the TKDN does not count.",
                 field="tkdn_certificate_date"):
        catalogue.update_product(owner, product, as_is(product, tkdn_x100=4000, tkdn_certificate="C-9"))
    with refused(DomainError, "Enter the TKDN certificate number for this date.", field="tkdn_certificate"):
        catalogue.update_product(owner, product, as_is(product, tkdn_x100=4000,
                                                       tkdn_certificate_date=date(2026, 1, 5)))
    with refused(DomainError, "The certificate date cannot be in the future.", field="tkdn_certificate_date"):
        catalogue.update_product(owner, product, as_is(product, tkdn_x100=4000, tkdn_certificate="C-9",
                                                       tkdn_certificate_date=date(2999, 1, 1)))
    with refused(DomainError, "A TKDN-IK certificate also has a number and a date: enter them.",
                 field="tkdn_certificate"):
        catalogue.update_product(owner, product, as_is(product, tkdn_ik=True))
    # A TKDN-IK certificate counts like any other.
    catalogue.update_product(owner, product, as_is(product, tkdn_x100=4200, tkdn_ik=True, tkdn_certificate="IK-1",
                                                   tkdn_certificate_date=date(2026, 2, 1)))
    assert product.preference == Preference.TKDN_BMP_40
    # A SIINas number means registered.
    catalogue.update_product(owner, product, as_is(product, tkdn_x100=0, tkdn_ik=False, tkdn_certificate=None,
                                                   tkdn_certificate_date=None, siinas_number="SI-1"))
    assert (product.siinas, product.preference) == (True, Preference.SIINAS)


# -- The review queue -------------------------------------------------------------------------

def test_queue_lists_new_products_and_revisions_oldest_first_with_counts(app, owner, admin, create_supplier,
                                                                        pinned_clock):
    other = h.verified(create_supplier("CV Lain", with_document=True), admin)
    pinned_clock(T0)
    changed = published(owner, admin)
    waiting = h.product(other, admin, "Kertas Menunggu", publish=False, cat=h.category("Kertas", parent="Kantor"))
    pinned_clock(T0 + timedelta(hours=1))
    catalogue.submit_product(other, waiting)
    db.session.flush()
    revision = catalogue.update_product(owner, changed, as_is(changed, name="Pensil Baru"),
                                        now=T0 + timedelta(hours=2)).revision
    db.session.commit()

    def queue(**kw):
        page = revisions.review_queue(revisions.QueueFilter(**kw), 1, 30)
        return [(i.kind, i.product.id) for i in page.items], page.counts

    assert queue() == ([("baru", waiting.id), ("perubahan", changed.id)], {"baru": 1, "perubahan": 1})
    assert queue(kind="perubahan")[0] == [("perubahan", changed.id)]
    assert queue(kind="baru")[1] == {"baru": 1, "perubahan": 1}  # counts ignore the kind
    assert queue(q="kertas")[0] == [("baru", waiting.id)]
    assert queue(q="cv lain")[0] == [("baru", waiting.id)]  # the supplier's name
    assert queue(q="100%_")[0] == []  # LIKE wildcards are text
    assert queue(supplier_id=owner.org_id)[0] == [("perubahan", changed.id)]
    assert queue(category_ids=[waiting.category_id])[0] == [("baru", waiting.id)]
    revisions.approve_revision(admin, revision, T0 + timedelta(hours=3))
    assert queue()[1] == {"baru": 1, "perubahan": 0}


def test_a_change_into_a_category_deleted_since_is_refused_not_a_crash(app, owner, admin):
    product = published(owner, admin)
    doomed = h.category("Sementara", parent="Kantor")
    revision = catalogue.update_product(owner, product, as_is(product, category_id=doomed.id)).revision
    catalogue.delete_category(None, doomed)  # nothing is filed under it yet
    with refused(WrongState, "The proposed category has been deleted since; reject the change with a reason."):
        revisions.approve_revision(admin, revision, T0)
    revisions.reject_revision(admin, revision, "Kategori sudah tidak ada.", T0)
