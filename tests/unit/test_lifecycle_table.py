"""The lifecycle table, read as the rules it states: who may do what in which state.

Orders here are stand-ins with only what the table reads (state, parties, offers,
shipped quantities, rating); the services that enforce the same rows are tested
through real orders in test_orders.py, test_order_sanctions.py and the race tests.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from pbj.models.accounts import Role
from pbj.models.orders import OfferSide
from pbj.models.orders import OrderStatus as S
from pbj.services.order_lifecycle import LIFECYCLE, available, may_attempt

OPD, OTHER_OPD, SUPPLIER = 10, 11, 20
PEOPLE = {
    "pp": SimpleNamespace(id=1, role=Role.PP, org_id=OPD),
    "ppk": SimpleNamespace(id=2, role=Role.PPK, org_id=OPD),  # the PPK named on the order
    "other ppk": SimpleNamespace(id=3, role=Role.PPK, org_id=OPD),
    "bendahara": SimpleNamespace(id=4, role=Role.BENDAHARA, org_id=OPD),
    "supplier": SimpleNamespace(id=5, role=Role.PENYEDIA, org_id=SUPPLIER),
    "pp elsewhere": SimpleNamespace(id=6, role=Role.PP, org_id=OTHER_OPD),
    "admin": SimpleNamespace(id=7, role=Role.ADMIN, org_id=1),
}


class _Item(SimpleNamespace):
    """An order line with the model's derived quantities (OrderItem's properties)."""

    to_ship = property(lambda self: self.quantity - self.cancelled_qty - self.shipped_qty)
    awaiting_inspection = property(lambda self: self.shipped_qty - self.received_qty)
    outstanding = property(lambda self: self.quantity - self.cancelled_qty - self.received_qty)


def _order(status, *, offer_by=None, offers=0, unshipped=True, rating=None, shipped=None, received=None,
           bast=False):
    """5 ordered; shipped 2 (`unshipped`) or 5, unless given; received as given, or all
    once the order is received."""
    open_offer = SimpleNamespace(side=offer_by) if offer_by else None
    if shipped is None:
        shipped = 0 if status in (S.SUBMITTED, S.NEGOTIATING, S.CONFIRMED, S.APPROVED) else 2 if unshipped else 5
    if received is None:
        received = shipped if status in (S.RECEIVED, S.PAID, S.COMPLETED) else 0
    item = _Item(quantity=5, shipped_qty=shipped, received_qty=received, cancelled_qty=0)
    handovers = [object()] if bast or received else []
    return SimpleNamespace(status=status, opd_id=OPD, supplier_id=SUPPLIER, ppk_id=2, open_offer=open_offer,
                           offers=[object()] * offers, items=[item], rating=rating, handovers=handovers)


def _actions(order) -> dict[str, set[str]]:
    return {who: {a for a in LIFECYCLE if available(person, order, a)} for who, person in PEOPLE.items()}


NOBODY = {"pp": set(), "ppk": set(), "other ppk": set(), "bendahara": set(), "supplier": set(),
          "pp elsewhere": set(), "admin": set()}


# Each row written out by hand from DESIGN.md's lifecycle, not derived from the table.
CASES = [
    ("submitted", _order(S.SUBMITTED), {
        "pp": {"cancel", "offer"}, "ppk": {"cancel", "offer", "ppk_reject"}, "other ppk": {"cancel", "offer"},
        "supplier": {"confirm", "supplier_reject"}}),
    ("buyer's offer waiting", _order(S.NEGOTIATING, offer_by=OfferSide.BUYER, offers=1), {
        "pp": {"cancel"}, "ppk": {"cancel", "ppk_reject"}, "other ppk": {"cancel"},
        "supplier": {"supplier_reject", "offer", "accept_offer", "decline_offer"}}),
    ("supplier's counter waiting", _order(S.NEGOTIATING, offer_by=OfferSide.SUPPLIER, offers=2), {
        "pp": {"cancel", "offer", "accept_offer", "decline_offer"},
        "ppk": {"cancel", "ppk_reject", "offer", "accept_offer", "decline_offer"},
        "other ppk": {"cancel", "offer", "accept_offer", "decline_offer"}, "supplier": {"supplier_reject"}}),
    ("last round used", _order(S.NEGOTIATING, offer_by=OfferSide.SUPPLIER, offers=4), {
        "pp": {"cancel", "accept_offer", "decline_offer"},
        "ppk": {"cancel", "ppk_reject", "accept_offer", "decline_offer"},
        "other ppk": {"cancel", "accept_offer", "decline_offer"}, "supplier": {"supplier_reject"}}),
    ("confirmed", _order(S.CONFIRMED), {
        "pp": {"cancel"}, "ppk": {"cancel", "approve", "ppk_reject"}, "other ppk": {"cancel"}}),
    ("approved", _order(S.APPROVED), {"supplier": {"ship"}}),
    ("shipped in part", _order(S.SHIPPED), {"supplier": {"ship"}, "ppk": {"handover"}}),
    ("shipped in full", _order(S.SHIPPED, unshipped=False), {"ppk": {"handover"}}),
    # A partial BAST received 2 of 5 and left the rest open: the supplier ships, and
    # until a new delivery the PPK may only cancel the rest.
    ("partial BAST, rest open", _order(S.SHIPPED, shipped=2, received=2, bast=True),
     {"supplier": {"ship"}, "ppk": {"cancel_rest"}}),
    ("partial BAST, rest delivered", _order(S.SHIPPED, shipped=5, received=2, bast=True),
     {"ppk": {"handover"}}),
    ("received", _order(S.RECEIVED, unshipped=False), {"bendahara": {"pay"}}),
    ("paid", _order(S.PAID, unshipped=False), {"ppk": {"rate"}}),
    ("rated", _order(S.COMPLETED, unshipped=False, rating=SimpleNamespace(reply=None)), {"supplier": {"reply"}}),
    ("rating answered", _order(S.COMPLETED, unshipped=False, rating=SimpleNamespace(reply="Terima kasih")), {}),
    ("cancelled", _order(S.CANCELLED), {}),
    ("rejected", _order(S.REJECTED), {}),
    ("expired", _order(S.EXPIRED), {}),
]


@pytest.mark.parametrize("name, order, expected", CASES, ids=[c[0] for c in CASES])
def test_who_may_do_what_in_each_state(app, name, order, expected):
    assert _actions(order) == {**NOBODY, **expected}


def test_every_state_is_covered_by_the_cases():
    assert {order.status for _name, order, _expected in CASES} == set(S)


def test_the_ppk_approval_rule_is_one_row():
    step = LIFECYCLE["approve"]
    assert step.from_states == (S.CONFIRMED,) and step.to_state is S.APPROVED and step.stopped_by_sanction
    order = _order(S.CONFIRMED)
    assert [who for who, person in PEOPLE.items() if may_attempt(person, order, "approve")] == ["ppk"]


def test_moves_lead_forward_and_endings_only_from_open_states():
    endings = {a: LIFECYCLE[a].to_state for a in ("cancel", "supplier_reject", "ppk_reject", "expire")}
    assert endings == {"cancel": S.CANCELLED, "supplier_reject": S.REJECTED, "ppk_reject": S.REJECTED,
                       "expire": S.EXPIRED}
    for action in endings:
        assert set(LIFECYCLE[action].from_states) <= {S.SUBMITTED, S.NEGOTIATING, S.CONFIRMED}
    # Nothing leaves an ended order.
    for step in LIFECYCLE.values():
        assert not set(step.from_states) & {S.CANCELLED, S.REJECTED, S.EXPIRED}


def test_a_sanction_stops_the_steps_before_the_signed_surat_pesanan():
    stopped = {action for action, step in LIFECYCLE.items() if step.stopped_by_sanction}
    assert stopped == {"confirm", "offer", "accept_offer", "decline_offer", "approve"}


def test_buttons_have_labels_and_the_system_step_has_none():
    assert LIFECYCLE["expire"].sides == () and LIFECYCLE["expire"].label is None
    assert all(step.label for action, step in LIFECYCLE.items() if action != "expire")
