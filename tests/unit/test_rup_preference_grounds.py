"""Going down a domestic-preference step (Perpres 16/2018 Art. 66(2) as amended by
Perpres 46/2025): which choices need a lawful ground, what explanation is enough, the
PPK's acceptance at approval, and the auditors' list."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Preference as R
from pbj.models.catalogue import Product
from pbj.models.orders import Order, OrderStatus
from pbj.services import orders
from pbj.services.errors import DomainError
from tests import order_helpers as oh
from tests.refusals import refused

EXPLANATION_RULE = ("Explain in your own words why the higher-tier products do not serve (at least %(chars)s "
                    "characters and %(words)s different words, at most 2000 characters).")
TICK_REFUSAL = ("This order buys below a higher domestic-preference tier listed in the same category: read the "
                "ground and the explanation, and tick that you accept them before approving (or reject the order).")
GOOD = "Stok produk ber-TKDN lebih tinggi hanya 2 unit, kebutuhan kegiatan 10 unit."


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def ranked(p, name, rank, cat):
    """A listed product forced to a preference rank (the ranking itself is tested elsewhere)."""
    product = oh.listed(p, name, cat=cat)
    db.session.execute(sa.update(Product).where(Product.id == product.id)
                       .values(preference=int(rank), priority=int(rank) * 10 + 1))
    db.session.commit()
    db.session.refresh(product)
    return product


# Worked by hand from Art. 66(2): steps (a) TKDN >= 25 % [ranks 1 and 2], (b) lower certified
# TKDN [3], (c) SIINas [4], then uncertified domestic [5], then imports [6]. A ground is
# needed only when a product of a higher STEP is listed in the category.
GROUND_TABLE = [  # (chosen rank, rank also listed in the category, ground needed?)
    (R.TKDN_BMP_40, R.TKDN_BMP_40, False),
    (R.TKDN_25, R.TKDN_BMP_40, False),   # the reported case: TKDN 25-39 % is lawful beside >= 40 %
    (R.TKDN_BMP_40, R.TKDN_25, False),
    (R.TKDN_LOW, R.TKDN_25, True),
    (R.TKDN_LOW, R.TKDN_BMP_40, True),
    (R.TKDN_LOW, R.TKDN_LOW, False),
    (R.SIINAS, R.TKDN_LOW, True),
    (R.SIINAS, R.DOMESTIC, False),
    (R.DOMESTIC, R.SIINAS, True),
    (R.DOMESTIC, R.TKDN_BMP_40, True),
    (R.IMPORT, R.DOMESTIC, True),
    (R.IMPORT, R.IMPORT, False),
    (R.TKDN_25, R.IMPORT, False),
]


@pytest.mark.parametrize("chosen, listed, needed", GROUND_TABLE)
def test_which_choices_need_a_ground(p, chosen, listed, needed):
    cat = oh.h.category(f"Kategori {chosen.value}{listed.value}")
    ranked(p, "Produk lain", listed, cat)
    mine = ranked(p, "Produk pilihan", chosen, cat)
    assert orders.better_tier_exists(mine, []) is needed
    orders.add_to_cart(p.pp, mine, 1, oh.today())
    group = orders.cart_groups(p.pp, oh.today())[0]
    assert bool(group.needs_justification) is needed


def test_a_hidden_suppliers_product_does_not_count(p, create_supplier):
    cat = oh.h.category("Kertas")
    mine = ranked(p, "Kertas impor", R.IMPORT, cat)
    other = create_supplier("CV Lain")
    better = oh.h.product(other, p.admin, "Kertas TKDN", cat=cat)
    db.session.execute(sa.update(Product).where(Product.id == better.id).values(preference=1, priority=11))
    db.session.commit()
    assert orders.better_tier_exists(mine, []) is True
    assert orders.better_tier_exists(mine, [other.org_id]) is False


@pytest.mark.parametrize("text, ok", [
    ("xxxxxxxxxxxxxxxxxxxxxxxxx", False),  # the reported junk
    ("x" * 200, False),
    ("asdf asdf asdf asdf asdf asdf asdf", False),  # one word repeated
    ("bbb ccc ddd fff ggg hhh jjj kkk lll", False),  # no vowels: not words
    ("Tidak tersedia.", False),  # too short
    ("aaaa bbbb cccc dddd eeee ffff gggg", False),  # repeated letters, no real words
    ("1234567890 1234567890 1234567890", False),
    (GOOD, True),
    ("Produk TKDN tinggi tidak tersedia di katalog untuk ukuran ini.", True),
])
def test_an_explanation_needs_real_words(app, text, ok):
    if ok:
        assert orders.check_explanation(text, "explanation_1") == text
    else:
        with refused(DomainError, EXPLANATION_RULE, field="explanation_1", chars=30, words=4):
            orders.check_explanation(text, "explanation_1")


def down_tier_order(p, ground="not_available", explanation=GOOD) -> Order:
    cat = oh.h.category("Kertas")
    ranked(p, "Kertas TKDN 45", R.TKDN_BMP_40, cat)
    imported = ranked(p, "Kertas impor", R.IMPORT, cat)
    sid = p.supplier.org_id
    return oh.place(p, imported, 2, grounds={sid: ground}, explanations={sid: explanation})


def test_checkout_refuses_junk_and_unknown_grounds(p):
    cat = oh.h.category("Kertas")
    ranked(p, "Kertas TKDN 45", R.TKDN_BMP_40, cat)
    imported = ranked(p, "Kertas impor", R.IMPORT, cat)
    orders.add_to_cart(p.pp, imported, 1, oh.today())
    db.session.commit()
    sid = p.supplier.org_id
    with refused(DomainError, "Products of a higher domestic-preference tier are listed in the same category as "
                 "%(names)s: choose the lawful ground for buying these instead.", field=f"ground_{sid}"):
        orders.checkout(p.pp, oh.checkout_data(p, grounds={sid: "harga melebihi pagu"},
                                               explanations={sid: GOOD}), utcnow(), oh.today())
    db.session.rollback()
    with refused(DomainError, EXPLANATION_RULE, field=f"explanation_{sid}"):
        orders.checkout(p.pp, oh.checkout_data(p, grounds={sid: "not_available"},
                                               explanations={sid: "xxxxxxxxxxxxxxxxxxxxxxxxx"}), utcnow(),
                        oh.today())
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_the_ppk_must_tick_that_the_ground_is_accepted(p):
    order = down_tier_order(p, "volume_not_enough")
    assert (order.preference_ground, order.preference_explanation) == ("volume_not_enough", GOOD)
    orders.confirm(p.supplier, order, utcnow())
    db.session.commit()
    with refused(DomainError, TICK_REFUSAL, field="accept_ground"):
        orders.approve(p.ppk, order, utcnow(), oh.today())
    db.session.rollback()
    assert db.session.get(Order, order.id).status is OrderStatus.CONFIRMED
    orders.approve(p.ppk, order, utcnow(), oh.today(), accept_ground=True)
    db.session.commit()
    order = db.session.get(Order, order.id)
    assert order.status is OrderStatus.APPROVED
    assert order.ground_accepted_by_id == p.ppk.id and order.ground_accepted_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "order.approved"))
    assert entry.actor_id == p.ppk.id
    assert (entry.detail_data["ground_accepted"], entry.detail_data["preference_ground"]) == (True, "volume_not_enough")


def test_an_order_on_the_top_step_needs_no_tick(p):
    order = oh.place(p, oh.listed(p), 1)
    assert not order.went_down_tier
    orders.confirm(p.supplier, order, utcnow())
    orders.approve(p.ppk, order, utcnow(), oh.today())
    assert order.ground_accepted_at is None


def test_auditors_list_every_order_that_went_down_a_tier(p, create_org, create_user, create_supplier):
    down = down_tier_order(p)
    plain = oh.place(p, oh.listed(p, "Pulpen"), 1)
    listed = db.session.scalars(orders.down_tier_query()).all()
    assert [o.id for o in listed] == [down.id]
    assert db.session.scalars(orders.down_tier_query(ground="volume_not_enough")).all() == []
    assert [o.id for o in db.session.scalars(orders.down_tier_query(opd_id=p.pp.org_id,
                                                                     ground="not_available"))] == [down.id]
    assert db.session.scalars(orders.down_tier_query(opd_id=plain.opd_id + 999)).all() == []
