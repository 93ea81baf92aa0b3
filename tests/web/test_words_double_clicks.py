"""A second click on a lifecycle button says the step was already taken, when and by whom.

The first POST moves the order (303); the same POST again — a double click, a second
tab, the back button — is answered 409 on the order page with the plain-Indonesian
"already done" message instead of the generic "not in the right state" reason, and
changes nothing. The clock is pinned so the times in the messages are known: 20 Nov
2026 01.00 UTC is 08.00 in Singkawang (WIB, UTC+7).
"""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from markupsafe import escape

from pbj.extensions import db
from pbj.models.orders import Order
from pbj.services import orders
from tests import order_helpers as oh
from tests.web.test_orders_bad_input import error_summary, order_at, snapshot

MOMENT = datetime(2026, 11, 20, 1, 0)  # 08.00 WIB


@pytest.fixture
def p(app, create_org, create_user, create_supplier, pinned_clock):
    pinned_clock(MOMENT)
    return oh.parties(create_org, create_user, create_supplier)


def _twice(client, url, data=None):
    first = client.post(url, data=data or {})
    assert first.status_code == 303, (url, first.status_code)
    before = snapshot()
    second = client.post(url, data=data or {})
    assert second.status_code == 409, (url, second.status_code)
    assert snapshot() == before  # the second click changed nothing
    return error_summary(second.get_data(as_text=True))


def _shown(message: str) -> str:
    return str(escape(message))


def test_a_second_approval_says_when_and_by_whom_it_was_approved(p, client, auth):
    order = order_at(p, "confirmed")
    order_id, ppk_name = order.id, p.ppk.name
    auth.login(p.ppk)
    summary = _twice(client, f"/pesanan/{order_id}/setujui")
    sp_number = db.session.get(Order, order_id).sp_number
    assert sp_number and sp_number.startswith("SP/")
    assert _shown(f"Pesanan ini sudah disetujui pada 20 Nov 2026 08.00 oleh {ppk_name} "
                  f"(Surat Pesanan {sp_number}).") in summary
    # Not the reason for an order that is not confirmed yet (what it said before).
    assert "Penyedia harus mengonfirmasi" not in summary


def test_a_second_payment_says_it_was_already_recorded(p, client, auth):
    order = order_at(p, "received")
    order_id = order.id
    data = {"paid_on": "2026-11-20", "reference": "SP2D-00077",
            "amount": str(orders.tax_breakdown(order).net)}
    auth.login(p.bendahara)
    summary = _twice(client, f"/pesanan/{order_id}/bayar", data)
    assert _shown(f"Pembayaran sudah dicatat pada 20 Nov 2026 oleh {p.bendahara.name} "
                  "(referensi SP2D-00077).") in summary
    assert "Pembayaran dicatat setelah BAST" not in summary


def test_a_second_confirmation_says_the_supplier_already_confirmed(p, client, auth):
    order_id = order_at(p, "submitted").id
    auth.login(p.supplier)
    summary = _twice(client, f"/pesanan/{order_id}/konfirmasi")
    assert _shown("Penyedia sudah mengonfirmasi pesanan ini pada 20 Nov 2026 08.00.") in summary


def test_a_second_bast_says_it_was_already_signed(p, client, auth):
    order = order_at(p, "shipped")
    order_id, item_id = order.id, order.items[0].id
    auth.login(p.ppk)
    summary = _twice(client, f"/pesanan/{order_id}/bast",
                     {"signed_on": "2026-11-20", "notes": "", f"qty_{item_id}": "4"})
    number = db.session.get(Order, order_id).handover.number
    assert _shown(f"BAST sudah ditandatangani pada 20 Nov 2026 oleh {p.ppk.name} "
                  f"(nomor {number}).") in summary


def test_recording_the_whole_delivery_twice_says_everything_was_delivered(p, client, auth):
    order = order_at(p, "approved")
    order_id, item_id = order.id, order.items[0].id
    auth.login(p.supplier)
    summary = _twice(client, f"/pesanan/{order_id}/kirim",
                     {"note_number": "SJ-77", "shipped_on": "2026-11-20", "note": "", f"qty_{item_id}": "4"})
    assert _shown("Semua yang dipesan sudah dikirim atau dikerjakan (surat jalan terakhir SJ-77, "
                  "20 Nov 2026).") in summary


def test_approving_a_cancelled_order_says_it_was_cancelled(p, client, auth):
    order_id = order_at(p, "confirmed").id
    auth.login(p.pp)
    assert client.post(f"/pesanan/{order_id}/batal", data={"reason": "Kegiatan ditunda."}).status_code == 303
    auth.logout()
    auth.login(p.ppk)
    before = snapshot()
    response = client.post(f"/pesanan/{order_id}/setujui")
    assert response.status_code == 409
    assert _shown("Pesanan ini sudah dibatalkan pada 20 Nov 2026 08.00.") in error_summary(
        response.get_data(as_text=True))
    assert snapshot() == before


def test_a_cancel_after_approval_names_the_state_in_words(p, client, auth):
    order_id = order_at(p, "approved").id
    auth.login(p.pp)
    response = client.post(f"/pesanan/{order_id}/batal", data={"reason": "Kegiatan ditunda."})
    assert response.status_code == 409
    summary = error_summary(response.get_data(as_text=True))
    assert "(statusnya sekarang: Disetujui)" in summary
    assert not re.search(r"\bapproved\b", summary)
