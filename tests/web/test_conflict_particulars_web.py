"""The two forms the conflict-of-interest check reads: a supplier's owner and bank account
(its business page) and an official's particulars (the administrator's user page); bad
input answered 422 with the input kept, nothing saved; payloads shown escaped."""
from __future__ import annotations

import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import OfficialParticulars, Role
from pbj.models.audit import AuditEntry
from pbj.models.flags import FlagKind, RiskFlag
from tests import order_helpers as oh

PAYLOAD = '<b hx-get="/keluar" hx-trigger="load">Siti</b>'


def _actions(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_supplier_saves_owner_and_account_and_the_trail_keeps_the_old_one(client, auth, create_supplier):
    supplier = create_supplier()
    auth.login(supplier)
    assert 'action="/usaha/rekening"' in client.get("/usaha").get_data(as_text=True)
    first = client.post("/usaha/rekening", data={
        "owner_name": "Siti  Aminah", "bank_name": "Bank Kalbar", "bank_account": "1234-01-000567-50-9"})
    assert first.status_code == 303
    client.post("/usaha/rekening", data={
        "owner_name": "Siti Aminah", "bank_name": "BRI", "bank_account": "0021 0100 1234 567"})
    profile = db.session.get(type(supplier.org.supplier), supplier.org_id)
    db.session.refresh(profile)
    assert (profile.owner_name, profile.bank_name, profile.bank_account) == ("Siti Aminah", "BRI", "002101001234567")
    last = _actions("supplier.payee_updated")[-1].detail_data
    assert last["previous_bank_account"] == "123401000567509" and last["bank_account"] == "002101001234567"


def test_supplier_bad_account_is_refused_with_the_input_kept(client, auth, create_supplier):
    supplier = create_supplier()
    auth.login(supplier)
    response = client.post("/usaha/rekening", data={
        "owner_name": PAYLOAD, "bank_name": "Bank Kalbar", "bank_account": "12-34"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'hx-get="/keluar"' not in html and "&lt;b hx-get=" in html  # kept, escaped once
    db.session.refresh(supplier.org.supplier)
    assert supplier.org.supplier.bank_account is None and _actions("supplier.payee_updated") == []
    missing_owner = client.post("/usaha/rekening", data={"owner_name": " ", "bank_name": "", "bank_account": ""})
    assert missing_owner.status_code == 422


def test_admin_saves_an_officials_particulars_only_admins_may(client, auth, create_user):
    ppk, admin = create_user(Role.PPK), create_user(Role.ADMIN)
    auth.login(ppk)
    refused = client.post(f"/admin/pengguna/{ppk.id}/data-pembanding", data={"phone": "0812 5678 9012"})
    assert refused.status_code in (302, 303, 403)
    assert db.session.get(OfficialParticulars, ppk.id) is None
    auth.logout()
    auth.login(admin)
    bad = client.post(f"/admin/pengguna/{ppk.id}/data-pembanding", data={
        "phone": "0812 5678 9012", "address": PAYLOAD, "npwp": "123", "bank_account": ""})
    assert bad.status_code == 422
    assert "&lt;b hx-get=" in bad.get_data(as_text=True) and 'hx-get="/keluar"' not in bad.get_data(as_text=True)
    assert db.session.get(OfficialParticulars, ppk.id) is None
    ok = client.post(f"/admin/pengguna/{ppk.id}/data-pembanding", data={
        "phone": "0812 5678 9012", "address": "Jl. Diponegoro No. 12, Singkawang", "npwp": "01.234.567.8-901.000",
        "bank_account": "1234 5678 90"})
    assert ok.status_code == 303
    record = db.session.get(OfficialParticulars, ppk.id)
    assert (record.phone, record.npwp, record.bank_account) == ("0812 5678 9012", "012345678901000", "1234567890")
    page = client.get(f"/admin/pengguna/{ppk.id}").get_data(as_text=True)
    assert "012345678901000" in page  # the saved values fill the form again


def test_a_matched_owner_reads_as_a_sentence_with_the_payload_escaped(client, auth, create_org, create_user,
                                                                     create_supplier):
    p = oh.parties(create_org, create_user, create_supplier)
    p.ppk.name = PAYLOAD
    db.session.commit()
    product = oh.listed(p, stock=1000, age_hours=24 * 30)
    order = oh.place(p, product, quantity=1)
    auth.login(p.supplier)
    assert client.post("/usaha/rekening", data={
        "owner_name": PAYLOAD, "bank_name": "", "bank_account": ""}).status_code == 303
    auth.logout()
    auth.login(create_user(Role.AUDITOR))
    client.post("/pengawasan/segarkan")
    flag = db.session.scalars(sa.select(RiskFlag).where(RiskFlag.kind == FlagKind.CONFLICT,
                                                        RiskFlag.key.like("conflict:owner:%"))).one()
    assert flag.links["orders"] == [order.id]
    html = client.get(f"/pengawasan/{flag.id}").get_data(as_text=True)
    assert 'hx-get="/keluar"' not in html and "&lt;b hx-get=&#34;/keluar&#34;" in html.replace("&quot;", "&#34;")
