"""Assisted registration through the admin pages, the invitation link, and the size
confirmed at verification, as the people using them see it (Indonesian by default)."""
from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role, User
from pbj.models.audit import AuditEntry
from pbj.models.suppliers import BusinessScale, SupplierProfile, VerificationStatus
from tests import catalogue_helpers
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n%assisted web\n"
NEW_PASSWORD = "benang-emas-di-tepi-sungai"

BUSINESS = {
    "business_name": "Tenun Ikat Bu Ani", "nib": "8120000000001", "npwp": "01.234.567.8-901.000",
    "scale": "mikro", "is_cooperative": "", "is_pkp": "", "has_pp55_certificate": "y",
    "address": "Jl. Kalimantan No. 3", "kecamatan": "Singkawang Tengah", "region_name": "Kota Singkawang",
    "region_code": "61.72", "phone": "0562 631234", "contact_name": "Ani Rahmawati",
    "email": "ani.tenun@contoh.id",
}


def _mails(app) -> list[email.message.EmailMessage]:
    outbox = Path(app.instance_path, "outbox")
    paths = sorted(outbox.glob("*.eml")) if outbox.exists() else []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def _link(message) -> str:
    [link] = re.findall(r"http://localhost(/daftar/undangan/\S+)", message.get_content())
    return link


def _profile(nib: str = BUSINESS["nib"]) -> SupplierProfile:
    db.session.expire_all()
    return db.session.scalar(sa.select(SupplierProfile).where(SupplierProfile.nib == nib))


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Rina Helpdesk")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert client.post("/masuk", data={"email": admin.email, "password": PASSWORD}).status_code == 303
    return client


def _register(admin_client, **changes):
    return admin_client.post("/admin/penyedia/baru", data={**BUSINESS, **changes})


def test_admin_registers_a_supplier_who_chooses_a_password_and_logs_in(app, admin, admin_client):
    form = admin_client.get("/admin/penyedia/baru")
    assert form.status_code == 200
    assert b'name="password"' not in form.data and b'value="61.72"' in form.data
    assert b'href="/admin/penyedia/baru"' in admin_client.get("/admin/penyedia").data

    response = _register(admin_client)
    profile = _profile()
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/admin/penyedia/{profile.org_id}"
    [mail] = _mails(app)
    assert mail["To"] == "ani.tenun@contoh.id"
    assert "Rina Helpdesk dari UKPBJ telah mendaftarkan Tenun Ikat Bu Ani" in mail.get_content()
    link = _link(mail)

    # The documents, uploaded by the admin for the business.
    upload = admin_client.post(f"/admin/penyedia/{profile.org_id}/dokumen",
                               data={"doc-kind": "nib", "doc-file": (io.BytesIO(PDF), "nib.pdf")},
                               content_type="multipart/form-data")
    assert upload.status_code == 303
    assert [d.kind.value for d in _profile().documents] == ["nib"]

    page = admin_client.get(f"/admin/penyedia/{profile.org_id}").get_data(as_text=True)
    assert "Didaftarkan dengan bantuan UKPBJ oleh Rina Helpdesk pada" in page
    assert "diundang; belum membuat kata sandi" in page
    assert f'href="/admin/penyedia/{profile.org_id}/produk/baru"' in page  # list products on its behalf

    # Before choosing a password nobody can log in as the new user.
    visitor = app.test_client()
    refused = visitor.post("/masuk", data={"email": "ani.tenun@contoh.id", "password": ""})
    assert refused.status_code == 422
    assert visitor.get(link).status_code == 200
    chosen = visitor.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 303 and urlsplit(chosen.headers["Location"]).path == "/masuk"
    assert visitor.post("/masuk", data={"email": "ani.tenun@contoh.id", "password": NEW_PASSWORD}).status_code == 303
    dashboard = visitor.get("/usaha").get_data(as_text=True)
    assert "Tenun Ikat Bu Ani" in dashboard

    # The link worked once.
    again = app.test_client().get(link)
    assert again.status_code == 404 and "Tautan tidak berlaku" in again.get_data(as_text=True)

    # The audit trail says who helped, for which supplier.
    entries = {e.action: e for e in db.session.scalars(sa.select(AuditEntry))}
    for action in ("supplier.registered", "user.invitation_sent", "supplier.document_added"):
        assert entries[action].actor_label == admin.email, action
        assert '"assisted": true' in entries[action].detail, action
    assert f'"supplier_id": {profile.org_id}' in entries["user.invitation_sent"].detail
    trail = admin_client.get("/audit/?aksi=user.invitation").get_data(as_text=True)
    assert "Undangan membuat kata sandi dikirim" in trail and "Didaftarkan dengan bantuan UKPBJ: Ya" in trail


def test_non_admins_cannot_reach_the_pages(app, create_user, create_supplier, admin, admin_client):
    _register(admin_client)
    profile = _profile()
    invited = profile.org.users[0]
    urls = [("get", "/admin/penyedia/baru"), ("post", "/admin/penyedia/baru"),
            ("post", f"/admin/penyedia/{profile.org_id}/dokumen"),
            ("post", f"/admin/penyedia/{profile.org_id}/pengguna/{invited.id}/undangan")]
    others = [create_supplier(), create_user(Role.PP), create_user(Role.PPK), create_user(Role.BENDAHARA),
              create_user(Role.AUDITOR)]
    count = len(_mails(app))
    for user in [None, *others]:
        client = app.test_client()
        if user is not None:
            client.post("/masuk", data={"email": user.email, "password": PASSWORD})
        for method, url in urls:
            response = getattr(client, method)(url, data={**BUSINESS, "nib": "8120000000002",
                                                          "email": "lain@contoh.id"})
            if user is None:
                assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/masuk"
            else:
                assert response.status_code == 403, (user.role, url)
    assert _profile("8120000000002") is None and len(_mails(app)) == count
    assert _profile().documents == []


def test_an_invited_user_of_another_supplier_is_not_found_there(app, admin_client, create_supplier):
    _register(admin_client)
    invited = _profile().org.users[0]
    other = create_supplier().org_id
    response = admin_client.post(f"/admin/penyedia/{other}/pengguna/{invited.id}/undangan")
    assert response.status_code == 404


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]+)</p>', html))


def test_invalid_data_gives_the_same_errors_as_self_registration(app, admin_client, create_supplier):
    taken = create_supplier(email="ada@contoh.id")
    bad = {"nib": "812-000", "npwp": "01.234", "phone": "telepon", "business_name": ""}
    own = app.test_client().post("/daftar", data={**BUSINESS, **bad, "password": "", "confirm": ""})
    helped = _register(admin_client, **bad)
    assert own.status_code == helped.status_code == 422
    own_errors, helped_errors = _errors(own.get_data(as_text=True)), _errors(helped.get_data(as_text=True))
    assert set(helped_errors) == {"business_name", "phone"}  # the form's checks first, as in /daftar
    assert helped_errors == {k: v for k, v in own_errors.items() if k in helped_errors}
    assert helped_errors["business_name"] == "Isi nama usaha."

    # The service's checks, field by field, in the same words.
    for change, field, words in (({"nib": "812-000"}, "nib", "NIB harus tepat 13 digit."),
                                 ({"nib": taken.org.supplier.nib}, "nib", None),
                                 ({"email": "ADA@contoh.id"}, "email", None),
                                 ({"region_code": "6172"}, "region_code", None)):
        own = app.test_client().post("/daftar", data={**BUSINESS, **change, "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
        helped = _register(admin_client, **change)
        assert own.status_code == helped.status_code == 422, change
        shown = _errors(helped.get_data(as_text=True))
        assert shown == _errors(own.get_data(as_text=True)) and field in shown, change
        if words:
            assert shown[field] == words
        assert 'value="Tenun Ikat Bu Ani"' in helped.get_data(as_text=True)  # nothing typed is lost
    assert _profile() is None and _mails(app) == []


def test_the_invitation_link_expires(app, admin_client):
    _register(admin_client)
    link = _link(_mails(app)[0])
    app.config["INVITATION_MAX_AGE_SECONDS"] = -1
    visitor = app.test_client()
    for response in (visitor.get(link), visitor.post(link, data={"password": NEW_PASSWORD,
                                                                 "confirm": NEW_PASSWORD})):
        assert response.status_code == 404
        assert "Tautan ini sudah kedaluwarsa atau sudah pernah dipakai." in response.get_data(as_text=True)
    assert _profile().org.users[0].awaits_password


def test_a_resent_invitation_replaces_the_first(app, admin_client):
    _register(admin_client)
    profile = _profile()
    invited = profile.org.users[0]
    first = _link(_mails(app)[0])
    response = admin_client.post(f"/admin/penyedia/{profile.org_id}/pengguna/{invited.id}/undangan")
    assert response.status_code == 303
    [second_mail] = [m for m in _mails(app) if "menggantikan undangan sebelumnya" in m.get_content()]
    second = _link(second_mail)
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404
    assert visitor.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    # Once the password is chosen there is nothing to resend: said on the page (409).
    again = admin_client.post(f"/admin/penyedia/{profile.org_id}/pengguna/{invited.id}/undangan")
    assert again.status_code == 409
    assert "Ani Rahmawati sudah membuat kata sandi." in again.get_data(as_text=True)


def test_a_weak_password_is_refused_on_the_invitation_page(app, admin_client):
    _register(admin_client)
    link = _link(_mails(app)[0])
    response = app.test_client().post(link, data={"password": "pendek", "confirm": "pendek"})
    assert response.status_code == 422
    assert "Kata sandi minimal 12 karakter." in response.get_data(as_text=True)
    assert app.test_client().get(link).status_code == 200  # still usable


def test_verification_without_the_size_is_refused_with_the_reason(app, admin_client, create_supplier):
    profile = create_supplier(with_document=True).org.supplier
    response = admin_client.post(f"/admin/penyedia/{profile.org_id}/verifikasi", data={"verify-scale": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ('<p class="error" id="verify-scale-error">Pilih skala usaha yang tercantum di NIB: '
            'verifikasi mengonfirmasinya.</p>') in html
    assert "Ada masalah" in html  # the error summary
    assert _profile(profile.nib).verification is VerificationStatus.UNVERIFIED


def test_the_confirmed_size_is_shown_and_counts_for_umk(app, admin, admin_client, create_supplier,
                                                        pinned_clock):
    pinned_clock(datetime(2026, 12, 1, 3, 0))
    owner = create_supplier("Kue Bingka Ahua", scale=BusinessScale.MIKRO, with_document=True)
    item = catalogue_helpers.product(owner, admin, "Kue Bingka", publish=False)
    assert item.supplier_is_umk and item.priority % 10 == 0
    response = admin_client.post(f"/admin/penyedia/{owner.org_id}/verifikasi", data={"verify-scale": "menengah"})
    assert response.status_code == 303
    page = admin_client.get(f"/admin/penyedia/{owner.org_id}").get_data(as_text=True)
    assert ("Menengah\n(dikonfirmasi dari NIB oleh Rina Helpdesk pada 1 Des 2026; "
            "pelaku usaha menyatakan Mikro)") in page
    db.session.expire_all()
    assert not item.supplier_is_umk and item.priority % 10 == 1
    # The public profile gives the size and the date, not the official's name.
    public = app.test_client().get(f"/penyedia/{owner.org_id}").get_data(as_text=True)
    assert "dikonfirmasi dari NIB pada 1 Des 2026" in public and "Rina Helpdesk" not in public
    assert ">UMK<" not in public


def test_a_verified_supplier_size_is_confirmed_on_its_page(app, admin, admin_client, create_supplier):
    owner = create_supplier("Keripik Pakis Sedau", scale=BusinessScale.KECIL)
    catalogue_helpers.verified(owner, admin)
    url = f"/admin/penyedia/{owner.org_id}/skala"
    empty = admin_client.post(url, data={"scale-scale": ""})
    assert empty.status_code == 422
    assert ('<p class="error" id="scale-scale-error">Pilih skala usaha yang tercantum di NIB: '
            'verifikasi mengonfirmasinya.</p>') in empty.get_data(as_text=True)
    assert admin_client.post(url, data={"scale-scale": "besar"}).status_code == 303
    assert _profile(owner.org.supplier.nib).confirmed_scale is BusinessScale.BESAR
    page = admin_client.get(f"/admin/penyedia/{owner.org_id}").get_data(as_text=True)
    assert "Besar\n(dikonfirmasi dari NIB oleh Rina Helpdesk pada" in page


def test_the_invitation_page_and_mail_escape_the_business_name_once(app, admin_client):
    """The payload corpus does not walk token pages: the names typed by the admin, here."""
    _register(admin_client, business_name='<b id="x">Tenun & "Ikat"</b>', contact_name="Ani <i>R</i>")
    [mail] = _mails(app)
    assert '<b id="x">Tenun & "Ikat"</b>' in mail.get_content()  # plain text: as typed
    page = app.test_client().get(_link(mail)).get_data(as_text=True)
    assert "&lt;b id=&#34;x&#34;&gt;Tenun &amp; &#34;Ikat&#34;&lt;/b&gt;" in page
    assert '<b id="x">' not in page and "&amp;lt;" not in page
