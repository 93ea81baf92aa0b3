"""The demo's people are all different, and its dates come in the order things happen.

An inspector reading the demo should not find the auditor also owning a supplier, a PPK
approving orders confirmed by someone of the same name, or a supplier "verified since"
a date after its first sale. The seeded demo is checked for: unique person names across
every account; per supplier, registration (and its documents) before verification,
verification before its first product's publication and before its first order;
every order after its products' publication plus the listing age; the city's own
people registered before they act.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.demo.people import person_names
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, User
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product
from pbj.models.orders import Order
from pbj.models.suppliers import SupplierDocument, SupplierProfile, VerificationStatus


def test_person_names_never_repeat():
    names = list(person_names(random.Random(3)))
    assert len(names) == len(set(names)) > 600
    assert "Lim Ahua" in names  # a Hakka name keeps its family name first
    # Repeatable from the seed, different for another.
    again, other = list(person_names(random.Random(3))), list(person_names(random.Random(4)))
    assert again[:20] == names[:20] != other[:20]


@pytest.mark.slow  # seeds a demo with orders: seconds
def test_seeded_demo_has_unique_people_and_dates_in_order(app):
    demo.seed(random.Random(61_72), products=150, orders=40)
    db.session.commit()
    listing_age = timedelta(hours=app.config["LISTING_MIN_AGE_HOURS"])

    names = Counter(db.session.scalars(sa.select(User.name)))
    assert sum(names.values()) > 60
    assert [name for name, n in names.items() if n > 1] == []

    orders = db.session.scalars(sa.select(Order)).all()
    products = db.session.scalars(sa.select(Product)).all()
    documents = db.session.scalars(sa.select(SupplierDocument)).all()
    suppliers = db.session.scalars(sa.select(SupplierProfile)).all()
    checked = Counter()
    for supplier in suppliers:
        registered = supplier.org.created_at
        users = db.session.scalars(sa.select(User).where(User.org_id == supplier.org_id)).all()
        assert all(user.created_at >= registered for user in users)
        own_documents = [d for d in documents if d.supplier_id == supplier.org_id]
        assert all(registered <= d.uploaded_at for d in own_documents)
        if supplier.verification is not VerificationStatus.VERIFIED:
            continue
        assert registered < supplier.verified_at
        assert all(d.uploaded_at < supplier.verified_at for d in own_documents)
        published = [p.published_at for p in products if p.supplier_id == supplier.org_id and p.published_at]
        assert all(supplier.verified_at < moment for moment in published), supplier.org.name
        assert all(supplier.verified_at < p.created_at for p in products if p.supplier_id == supplier.org_id)
        sales = [o.submitted_at for o in orders if o.supplier_id == supplier.org_id]
        if sales:
            assert supplier.verified_at < min(sales), supplier.org.name
            checked["with sales"] += 1
        checked["verified"] += 1
    assert checked["with sales"] >= 5 and checked["verified"] > checked["with sales"] - 1

    for product in products:
        if product.published_at:
            assert product.created_at < product.published_at
    for order in orders:
        for item in order.items:
            assert item.product.published_at + listing_age <= order.submitted_at, (order.id, item.product_id)

    # The city's own organisations and people were there before any supplier registered.
    first_registration = min(s.org.created_at for s in suppliers)
    staff = db.session.scalars(sa.select(User).join(User.org)
                               .where(Organisation.kind != OrgKind.SUPPLIER)).all()
    assert staff and all(user.created_at < first_registration for user in staff)
    assert all(user.created_at < min(o.submitted_at for o in orders) for user in staff)
    # The audit trail is untouched by the re-dating (append-only, still verifies).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) > 0
