"""/pengawasan: the flags list with counts and filters, one flag's page, the review form
(no JavaScript), and bad input answered without a 500."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.audit import AuditEntry
from pbj.models.flags import FlagKind, RiskFlag
from tests import order_helpers as oh


@pytest.fixture
def world(create_org, create_user, create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    product = oh.listed(p, stock=1000, age_hours=30)  # ordered 30 hours after listing: a fast order
    order = oh.place(p, product, quantity=1)
    return p, order, create_user(Role.AUDITOR)


def test_refresh_then_list_and_open_a_flag(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    response = client.post("/pengawasan/segarkan")
    assert response.status_code == 303
    flag = db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == FlagKind.FAST_ORDER)).one()
    listing = oh.page_text(client.get("/pengawasan/?jenis=fast_order&tinjau=belum"))
    assert f"#{flag.id}" in listing
    page = client.get(f"/pengawasan/{flag.id}")
    assert page.status_code == 200
    text = oh.page_text(page)
    assert "30.0" in text or "30,0" in text  # the hours in the reason
    assert f"/pesanan/{order.id}" in page.get_data(as_text=True) or f"#{order.id}" in text


def test_review_by_form_keeps_the_flag_and_writes_the_trail(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    client.post("/pengawasan/segarkan")
    flag = db.session.scalars(sa.select(RiskFlag)).first()
    empty = client.post(f"/pengawasan/{flag.id}/tinjau", data={"note": "  "})
    assert empty.status_code == 422
    done = client.post(f"/pengawasan/{flag.id}/tinjau", data={"note": "Pesanan mendesak, ada nota dinas."})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(RiskFlag, flag.id).review_note == "Pesanan mendesak, ada nota dinas."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "flag.reviewed")) == 1
    reviewed = oh.page_text(client.get("/pengawasan/?tinjau=sudah"))
    assert f"#{flag.id}" in reviewed
    assert f"#{flag.id}" not in oh.page_text(client.get("/pengawasan/?tinjau=belum"))


@pytest.mark.parametrize("query", ["jenis=bukan-jenis", "tinjau=<script>", "opd=99999999999999999", "penyedia=-1",
                                   "hal=abc", "jenis=split&opd=1&penyedia=2&tinjau=sudah&hal=9999"])
def test_bad_filters_do_not_fail(client, auth, world, query):
    auth.login(world[2])
    assert client.get(f"/pengawasan/?{query}").status_code == 200


def test_unknown_flag_is_404(client, auth, world):
    auth.login(world[2])
    assert client.get("/pengawasan/999999").status_code == 404
    assert client.post("/pengawasan/999999/tinjau", data={"note": "x"}).status_code == 404


def test_the_case_file_lists_the_flags_naming_its_order(client, auth, world):
    p, order, auditor = world
    auth.login(auditor)
    assert "Tidak ada tanda risiko untuk pesanan ini" in oh.page_text(client.get(f"/audit/pesanan/{order.id}"))
    assert client.post("/pengawasan/segarkan").status_code == 303
    flag = db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == FlagKind.FAST_ORDER)).one()
    html = client.get(f"/audit/pesanan/{order.id}").get_data(as_text=True)
    assert f'href="/pengawasan/{flag.id}"' in html  # the flag, linked, with its reason
