from pathlib import Path

import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.models.suppliers import SupplierProfile, VerificationStatus
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

REGISTRATION = {
    "business_name": "Keramik Naga Sakkok", "nib": "1234567890123", "npwp": "01.234.567.8-901.000",
    "scale": "mikro", "is_cooperative": "", "is_pkp": "", "has_pp55_certificate": "y",
    "address": "Jl. Sakkok No. 7, Kel. Sedau", "kecamatan": "Singkawang Selatan",
    "region_name": "Kota Singkawang", "region_code": "61.72", "phone": "0562 631234",
    "contact_name": "Lim Ahua", "email": "ahua@keramik.id", "password": "tungku-naga-2026",
    "confirm": "tungku-naga-2026",
}


def _upload(client, data=PDF, name="nib.pdf", kind="nib"):
    from io import BytesIO

    return client.post("/usaha/dokumen", data={"kind": kind, "file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_registration_form_prefills_the_city(client):
    page = client.get("/daftar")
    assert page.status_code == 200
    assert b'value="61.72"' in page.data and b"Kota Singkawang" in page.data


def test_supplier_registers_uploads_and_admin_verifies(app, create_user):
    supplier_client, admin_client = app.test_client(), app.test_client()
    response = supplier_client.post("/daftar", data=REGISTRATION)
    assert response.status_code == 303 and response.headers["Location"] == "/usaha"
    profile = db.session.scalar(sa.select(SupplierProfile).where(SupplierProfile.nib == "1234567890123"))
    assert profile.npwp == "012345678901000"
    assert profile.verification is VerificationStatus.UNVERIFIED
    assert b"tag-wait" in supplier_client.get("/usaha").data

    assert _upload(supplier_client).status_code == 303
    stored = list(Path(app.instance_path, "uploads", "documents").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == PDF

    admin = create_user(Role.ADMIN)
    admin_client.post("/masuk", data={"email": admin.email, "password": PASSWORD})
    queue = admin_client.get("/admin/penyedia")
    assert b"Keramik Naga Sakkok" in queue.data
    detail = admin_client.get(f"/admin/penyedia/{profile.org_id}")
    doc_id = profile.documents[0].id
    assert f"/usaha/dokumen/{doc_id}".encode() in detail.data
    assert admin_client.get(f"/usaha/dokumen/{doc_id}").data == PDF
    assert admin_client.post(f"/admin/penyedia/{profile.org_id}/verifikasi",
                             data={"verify-scale": "mikro"}).status_code == 303

    page = supplier_client.get("/usaha")
    assert b"tag-ok" in page.data
    queue = admin_client.get("/admin/penyedia").data
    assert f'href="/admin/penyedia/{profile.org_id}"'.encode() not in queue  # left the queue


def test_registration_errors_keep_the_input(client):
    data = dict(REGISTRATION, nib="123", npwp="99", confirm="lain")
    response = client.post("/daftar", data=data)
    assert response.status_code == 422
    assert b"Keramik Naga Sakkok" in response.data  # nothing typed is lost
    assert b'id="confirm-error"' in response.data


def test_registration_domain_errors_go_to_their_field(client):
    response = client.post("/daftar", data=dict(REGISTRATION, nib="12345"))
    assert response.status_code == 422
    assert b'id="nib-error"' in response.data


def test_duplicate_registration_is_refused(client, create_supplier):
    existing = create_supplier(email="ada@contoh.id")
    response = client.post("/daftar", data=dict(REGISTRATION, email="ada@contoh.id"))
    assert response.status_code == 422
    assert b'id="email-error"' in response.data
    response = client.post("/daftar", data=dict(REGISTRATION, nib=existing.org.supplier.nib))
    assert response.status_code == 422 and b'id="nib-error"' in response.data


def test_admin_rejects_with_reason_and_supplier_sees_it(app, create_supplier, create_user):
    user = create_supplier(with_document=True)
    admin = create_user(Role.ADMIN)
    admin_client, supplier_client = app.test_client(), app.test_client()
    admin_client.post("/masuk", data={"email": admin.email, "password": PASSWORD})
    org_id = user.org_id
    empty = admin_client.post(f"/admin/penyedia/{org_id}/tolak", data={"reject-reason": ""})
    assert empty.status_code == 422
    response = admin_client.post(f"/admin/penyedia/{org_id}/tolak", data={"reject-reason": "Foto NPWP buram"})
    assert response.status_code == 303
    supplier_client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    page = supplier_client.get("/usaha")
    assert b"Foto NPWP buram" in page.data and b"tag-bad" in page.data


def test_admin_suspends_until_a_date_then_lifts(app, client, auth, create_supplier, create_user):
    user = create_supplier(with_document=True)
    auth.login(create_user(Role.ADMIN))
    url = f"/admin/penyedia/{user.org_id}"
    past = client.post(url + "/sanksi", data={"sanction-sanction": "suspended", "sanction-reason": "Terlambat",
                                              "sanction-until": "2000-01-01"})
    assert past.status_code == 422 and b'id="sanction-until-error"' in past.data
    ok = client.post(url + "/sanksi", data={"sanction-sanction": "blacklisted", "sanction-reason": "Dokumen palsu",
                                            "sanction-until": "2099-12-31"})
    assert ok.status_code == 303
    assert b"Dokumen palsu" in client.get(url).data
    assert client.post(url + "/cabut-sanksi").status_code == 303
    assert user.org.supplier.sanction.value == "none"


def test_verify_without_documents_is_a_conflict(client, auth, create_supplier, create_user):
    user = create_supplier()
    auth.login(create_user(Role.ADMIN))
    response = client.post(f"/admin/penyedia/{user.org_id}/verifikasi", data={"verify-scale": "mikro"})
    assert response.status_code == 409
    assert user.org.supplier.verification is VerificationStatus.UNVERIFIED


def test_a_wrong_state_re_renders_the_supplier_page_with_the_reason(client, auth, create_supplier, create_user):
    user = create_supplier()
    auth.login(create_user(Role.ADMIN))
    url = f"/admin/penyedia/{user.org_id}"
    for action, reason in (("/verifikasi", "Penyedia belum mengunggah dokumen apa pun."),
                           ("/cabut-sanksi", "Penyedia ini tidak sedang dikenai sanksi.")):
        response = client.post(url + action, data={"verify-scale": "mikro"})
        html = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Ada masalah" in html and reason in html  # the supplier page's error summary
        assert user.org.name in html
        assert "Tidak dapat dilakukan saat ini" not in html  # not the bare 409 error page
    assert user.org.supplier.verification is VerificationStatus.UNVERIFIED


def test_supplier_documents_are_private(app, create_supplier, create_user):
    owner = create_supplier(with_document=True)
    other = create_supplier()
    doc_id = owner.org.supplier.documents[0].id
    url = f"/usaha/dokumen/{doc_id}"
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
    for user, expected in ((other, 404), (create_user(Role.PP), 404), (owner, 200),
                           (create_user(Role.AUDITOR), 200), (create_user(Role.ADMIN), 200)):
        c = app.test_client()
        c.post("/masuk", data={"email": user.email, "password": PASSWORD})
        response = c.get(url)
        assert response.status_code == expected, user.role
        if expected == 200:
            assert response.headers["Cache-Control"] == "private, no-store"


def test_admin_creates_opd_and_user_who_gets_a_link(app, client, auth, create_user):
    auth.login(create_user(Role.ADMIN))
    response = client.post("/admin/opd", data={"name": "Dinas Perhubungan", "code": "dishub", "kind": "opd"})
    assert response.status_code == 303
    page = client.get("/admin/pengguna")
    assert b"Dinas Perhubungan" in page.data
    from pbj.models.accounts import Organisation

    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == "DISHUB"))
    response = client.post("/admin/pengguna", data={"name": "Agus Salim", "email": "agus@dishub.go.id",
                                                    "role": "pp", "org_id": org.id})
    assert response.status_code == 303
    mails = list(Path(app.instance_path, "outbox").glob("*.eml"))
    assert len(mails) == 1 and b"agus@dishub.go.id" in mails[0].read_bytes()
    duplicate = client.post("/admin/opd", data={"name": "Lain", "code": "DISHUB", "kind": "opd"})
    assert duplicate.status_code == 422 and b'id="code-error"' in duplicate.data


def test_admin_cannot_deactivate_self(client, auth, create_user):
    admin = create_user(Role.ADMIN)
    auth.login(admin)
    response = client.post(f"/admin/pengguna/{admin.id}/status", data={"active": "0"})
    assert response.status_code == 422
    assert admin.active
