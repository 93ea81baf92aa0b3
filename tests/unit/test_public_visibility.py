"""Whose products the public sees: one rule in Python (`supplier_listed`) and its SQL twin
(`hidden_supplier_ids`, used by the catalogue search), checked against each other."""
from __future__ import annotations

from datetime import timedelta

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.suppliers import Sanction
from pbj.services import catalogue, suppliers
from tests import catalogue_helpers as h
from tests.order_helpers import today


def test_python_rule_and_sql_twin_agree_on_every_kind_of_supplier(app, create_user, create_supplier):
    admin = create_user(Role.ADMIN)
    day = today()
    verified = h.verified(create_supplier("Verified"), admin)
    unverified = create_supplier("Unverified")
    suspended = h.verified(create_supplier("Suspended"), admin)
    blacklisted = h.verified(create_supplier("Blacklisted"), admin)
    for user, sanction in ((suspended, Sanction.SUSPENDED), (blacklisted, Sanction.BLACKLISTED)):
        suppliers.sanction_supplier(admin, user.org.supplier, sanction, "Terlambat mengirim",
                                    day + timedelta(days=10), day)
    db.session.commit()
    everyone = {"verified": verified, "unverified": unverified, "suspended": suspended,
                "blacklisted": blacklisted}
    for when, expected in ((day, {"verified"}), (day + timedelta(days=11), {"verified", "suspended", "blacklisted"})):
        hidden = set(catalogue.hidden_supplier_ids(when))
        listed = {name for name, user in everyone.items() if catalogue.supplier_listed(user.org.supplier, when)}
        assert listed == expected, when
        assert {name for name, user in everyone.items() if user.org_id not in hidden} == expected, when
