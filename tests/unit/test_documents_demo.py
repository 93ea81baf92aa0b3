"""Demo data for issue 11's documents: officials have unique, valid NIPs; OPDs have
addresses; paid orders carry their SP2D."""
import random

import pytest
import sqlalchemy as sa

from pbj import demo
from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.orders import Order, OrderStatus
from pbj.services import accounts

pytestmark = pytest.mark.slow


def test_demo_officials_opds_and_payments(app):
    demo.seed(random.Random(61_72), products=60, orders=20)
    db.session.commit()
    officials = db.session.scalars(sa.select(User).where(User.role.in_([Role.PP, Role.PPK, Role.BENDAHARA]))).all()
    nips = [user.nip for user in officials]
    assert officials and all(nips) and len(set(nips)) == len(nips)
    assert all(accounts.clean_nip(nip) == nip for nip in nips)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role.in_([Role.ADMIN, Role.AUDITOR, Role.PENYEDIA]), User.nip.is_not(None))) == 0
    opds = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.OPD)).all()
    assert all(opd.address and "Singkawang" in opd.address for opd in opds)
    paid = db.session.scalars(sa.select(Order).where(Order.status.in_([OrderStatus.PAID, OrderStatus.COMPLETED]))).all()
    assert paid and all(order.payment.sp2d_number and order.payment.sp2d_date for order in paid)
