"""Checkouts under one package at the same moment: the package's row lock (PostgreSQL)
or the write lock (SQLite) makes the second see the first's order, so neither the PP
limit nor the pagu can be passed by two buyers together."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.orders import Order
from pbj.services import orders, packages
from tests import order_helpers as oh
from tests.unit.test_order_races import checkout_job, kinds, race  # noqa: F401  (race: a fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def p(app, create_org, create_user, create_supplier):
    return oh.parties(create_org, create_user, create_supplier)


def carts(p, create_user, role, name, price, quantity, count):
    """`count` buyers, each with a product of its own in the cart (no shared product row
    whose lock would line them up: only the package's lock may)."""
    buyers = []
    for n in range(count):
        buyer = create_user(role, org=p.pp.org)
        product = oh.listed(p, f"{name} {n + 1}", price=price, stock=None)
        orders.add_to_cart(buyer, product, quantity, oh.today())
        buyers.append(buyer)
    db.session.commit()
    return buyers


def test_two_pps_cannot_pass_the_pp_limit_together(p, create_user, race):
    package = oh.package(p, "41400001", pagu=1_000_000_000)
    buyers = carts(p, create_user, Role.PP, "Lemari arsip", 15_000_000, 10, 2)  # Rp 150 juta each: Rp 300 juta together
    jobs = [(checkout_job, (b.id, oh.checkout_data(p, package_id=package.id), oh.today())) for b in buyers]
    outcomes = race(jobs)
    assert sorted(kinds(outcomes)) == ["DomainError", "ok"], outcomes
    db.session.rollback()  # a fresh snapshot: the workers committed after ours began
    assert packages.live_total(db.session.get(type(package), package.id)) == 150_000_000


def test_two_ppks_cannot_pass_the_pagu_together(p, create_user, race):
    package = oh.package(p, "41400002", pagu=500_000_000)
    buyers = carts(p, create_user, Role.PPK, "Laptop", 20_000_000, 15, 3)  # Rp 300 juta each
    jobs = [(checkout_job, (b.id, oh.checkout_data(p, package_id=package.id, ppk_id=b.id), oh.today()))
            for b in buyers]
    outcomes = race(jobs)
    assert sorted(kinds(outcomes)) == ["DomainError", "DomainError", "ok"], outcomes
    db.session.rollback()  # a fresh snapshot: the workers committed after ours began
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
