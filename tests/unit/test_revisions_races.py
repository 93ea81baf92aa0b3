"""Product revisions under real concurrency, threads and processes, both databases: a double
click on approve applies the change once; two saves at once leave one pending revision."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.models.accounts import Role, User
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import Product, ProductRevision, RevisionStatus
from pbj.services import audit, catalogue, revisions
from tests import catalogue_helpers as h
from tests.unit.test_order_races import kinds, race  # noqa: F401 -- `race` is the fixture

pytestmark = pytest.mark.slow


def approve_job(admin_id: int, revision_id: int) -> bool:
    return revisions.approve_revision(db.session.get(User, admin_id), db.session.get(ProductRevision, revision_id),
                                      utcnow())


def rename_job(owner_id: int, product_id: int, name: str) -> None:
    product = db.session.get(Product, product_id)
    catalogue.update_product(db.session.get(User, owner_id), product, catalogue.ProductData(
        category_id=product.category_id, name=name, unit=product.unit, unit_price=product.unit_price,
        stock=product.stock, origin=product.origin))


@pytest.fixture
def setting(app, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    owner = h.verified(create_supplier(with_document=True), admin)
    product = h.product(owner, admin, "Tikar Pandan", cat=h.category("Anyaman", parent="Kerajinan"))
    db.session.commit()
    return admin, owner, product


def test_double_click_on_approve_applies_the_change_once(setting, race):
    admin, owner, product = setting
    rename_job(owner.id, product.id, "Tikar Pandan Besar")
    revision_id = revisions.pending_revision(product).id
    db.session.commit()
    outcomes = race([(approve_job, (admin.id, revision_id))] * 2)
    assert sorted(kinds(outcomes)) == ["WrongState", "ok"], outcomes
    db.session.rollback()
    approvals = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "product.revision_approved"))
    assert approvals == 1 and db.session.get(Product, product.id).name == "Tikar Pandan Besar"
    assert audit.verify_chain().ok


def test_two_saves_at_once_leave_one_pending_revision(setting, race):
    _admin, owner, product = setting
    outcomes = race([(rename_job, (owner.id, product.id, "Tikar A")), (rename_job, (owner.id, product.id, "Tikar B"))])
    assert kinds(outcomes) == ["ok", "ok"], outcomes
    db.session.rollback()
    statuses = sorted(s.value for s in db.session.scalars(
        sa.select(ProductRevision.status).where(ProductRevision.product_id == product.id)))
    assert statuses == ["pending", "replaced"]
    assert db.session.get(Product, product.id).name == "Tikar Pandan"
