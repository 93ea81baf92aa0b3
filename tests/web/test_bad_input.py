"""Bad input never gives a 500: malformed ids, wrong types, oversized and wrong
files, injection strings (stored, shown escaped), odd query values, long fields."""
from __future__ import annotations

import io
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.audit import AuditEntry
from pbj.models.suppliers import Sanction, SupplierDocument, SupplierProfile, VerificationStatus
from pbj.services import accounts
from tests.conftest import PASSWORD

LONG = "x" * 10_240  # 10 kB
INJECTION = "<script>alert(1)</script> ' OR 1=1 -- {{7*7}}"
INJECTION_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#39; OR 1=1 -- {{7*7}}"


def assert_page(response, status: int, label: object = "") -> str:
    """The expected status, rendered in the site layout, no stack trace."""
    body = response.get_data(as_text=True)
    where = f"{response.request.method} {response.request.path} {label!r}"
    assert response.status_code == status, f"{where}: {response.status_code}"
    assert "<main" in body, where
    assert "Traceback" not in body, where
    return body


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def registration(**overrides) -> dict:
    data = {
        "business_name": "UMKM Baru", "nib": "1234567890123", "npwp": "1234567890123456",
        "scale": "mikro", "address": "Jl. Pasar 1", "kecamatan": "Singkawang Barat",
        "region_code": "61.72", "region_name": "Kota Singkawang", "phone": "0562 631234",
        "contact_name": "Pemilik", "email": "baru@contoh.id", "password": PASSWORD, "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(app, auth, client, create_user):
    assert auth.login(create_user(Role.ADMIN)).status_code == 303
    return client


@pytest.fixture
def supplier_client(app, auth, client, create_supplier):
    user = create_supplier()
    assert auth.login(user).status_code == 303
    client.supplier = user
    return client


# -- Malformed ids ------------------------------------------------------------------

BAD_IDS = ["abc", "99999999999999999999", "-1", "0", "1.5", "1e3", "%00", "4611686018427387905"]


def test_malformed_ids_in_admin_urls_are_404(admin_client):
    entries = count(AuditEntry)
    for bad in BAD_IDS:
        for url in (f"/admin/penyedia/{bad}", f"/admin/pengguna/{bad}"):
            assert_page(admin_client.get(url), 404, bad)
        for url in (f"/admin/penyedia/{bad}/verifikasi", f"/admin/penyedia/{bad}/tolak",
                    f"/admin/penyedia/{bad}/sanksi", f"/admin/penyedia/{bad}/cabut-sanksi",
                    f"/admin/pengguna/{bad}/status", f"/admin/pengguna/{bad}/peran"):
            assert_page(admin_client.post(url, data={"reject-reason": "x", "role": "pp"}), 404, bad)
    assert count(AuditEntry) == entries


def test_malformed_document_ids_are_404(supplier_client):
    for bad in BAD_IDS:
        assert_page(supplier_client.get(f"/usaha/dokumen/{bad}"), 404, bad)


def test_id_of_the_wrong_kind_of_object_is_404(admin_client, create_org):
    opd = create_org(OrgKind.OPD)  # an organisation, but not a supplier
    assert_page(admin_client.get(f"/admin/penyedia/{opd.id}"), 404)
    assert_page(admin_client.post(f"/admin/penyedia/{opd.id}/verifikasi"), 404)


# -- Wrong types and unknown values in forms --------------------------------------

def test_admin_user_creation_with_bad_org_id_is_422(admin_client, create_org):
    create_org(OrgKind.OPD)
    users = count(User)
    for org_id in ["abc", "", "-1", "0", "1.5", "99999999999999999999", "supplier", "1 OR 1=1"]:
        response = admin_client.post("/admin/pengguna", data={
            "name": "Pegawai", "email": "pegawai@contoh.go.id", "role": "pp", "org_id": org_id})
        assert_page(response, 422, org_id)
    assert count(User) == users


def test_admin_user_creation_in_a_supplier_org_is_422(admin_client, create_supplier):
    supplier = create_supplier()
    users = count(User)
    response = admin_client.post("/admin/pengguna", data={
        "name": "Pegawai", "email": "pegawai@contoh.go.id", "role": "pp", "org_id": str(supplier.org_id)})
    assert_page(response, 422)
    assert count(User) == users


def test_unknown_or_forbidden_role_is_422(admin_client, create_org, create_user):
    opd = create_org(OrgKind.OPD)
    other = create_user(Role.PP, org=opd)
    users = count(User)
    for role in ["superuser", "penyedia", "ADMIN", ""]:
        response = admin_client.post("/admin/pengguna", data={
            "name": "Pegawai", "email": "pegawai@contoh.go.id", "role": role, "org_id": str(opd.id)})
        assert_page(response, 422, role)
        assert_page(admin_client.post(f"/admin/pengguna/{other.id}/peran", data={"role": role}), 422, role)
    assert count(User) == users
    db.session.expire_all()
    assert db.session.get(User, other.id).role is Role.PP


def test_invalid_sanction_date_is_422(admin_client, create_supplier):
    supplier = create_supplier()
    entries = count(AuditEntry)
    for until in ["2099-02-30", "31-12-2099", "besok", "99999-01-01", "", "2000-01-01", "0000-00-00"]:
        response = admin_client.post(f"/admin/penyedia/{supplier.org_id}/sanksi", data={
            "sanction-sanction": "suspended", "sanction-reason": "Wanprestasi", "sanction-until": until})
        assert_page(response, 422, until)
    db.session.expire_all()
    assert db.session.get(SupplierProfile, supplier.org_id).sanction is Sanction.NONE
    assert count(AuditEntry) == entries


def test_unknown_sanction_is_422(admin_client, create_supplier):
    supplier = create_supplier()
    for sanction in ["raksasa", "none", ""]:
        response = admin_client.post(f"/admin/penyedia/{supplier.org_id}/sanksi", data={
            "sanction-sanction": sanction, "sanction-reason": "Wanprestasi", "sanction-until": "2099-01-01"})
        assert_page(response, 422, sanction)
    db.session.expire_all()
    assert db.session.get(SupplierProfile, supplier.org_id).sanction is Sanction.NONE


def test_unknown_organisation_kind_is_422(admin_client):
    orgs = count(Organisation)
    for kind in ["supplier", "raksasa", ""]:
        response = admin_client.post("/admin/opd", data={"name": "Dinas X", "code": "DX", "kind": kind})
        assert_page(response, 422, kind)
    assert count(Organisation) == orgs


def test_registration_with_wrong_values_is_422(client):
    orgs = count(Organisation)
    for field, value in [
        ("scale", "raksasa"), ("scale", ""), ("nib", "abc"), ("npwp", "12"), ("region_code", "6172"),
        ("email", "bukan-email"), ("phone", "<script>"), ("password", "pendek"),
    ]:
        data = registration(**{field: value})
        if field == "password":
            data["confirm"] = value
        assert_page(client.post("/daftar", data=data), 422, (field, value))
    assert count(Organisation) == orgs


def test_unknown_language_is_ignored(client):
    response = client.post("/bahasa", data={"lang": "xx", "next": "/"})
    assert response.status_code == 303
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


# -- Uploads ------------------------------------------------------------------------

def _upload(client, content: bytes, filename: str = "nib.pdf", kind: str = "nib"):
    return client.post("/usaha/dokumen", data={"kind": kind, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_upload_larger_than_max_content_length_is_413(app, supplier_client):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = _upload(supplier_client, b"%PDF-1.4\n" + b"0" * size)
    body = assert_page(response, 413)
    assert "413" in body
    assert stored_files(app) == []
    assert count(SupplierDocument) == 0


def test_upload_above_document_limit_is_a_form_error(app, supplier_client):
    size = app.config["DOCUMENT_MAX_BYTES"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]
    body = assert_page(_upload(supplier_client, b"%PDF-1.4\n" + b"0" * size), 422)
    assert 'class="error-summary"' in body
    assert stored_files(app) == []


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


WRONG_FILES = [
    (b"hanya teks biasa, bukan PDF\n", "nib.pdf"),  # text named .pdf
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "setup.pdf"),  # .exe renamed to .pdf
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "setup.exe"),
    (b"<html><script>alert(1)</script></html>", "nib.pdf"),
    (PNG_SIGNATURE + b"garbage" * 50, "ktp.png"),  # fake image: PNG signature, garbage after it
    (PNG_SIGNATURE + b"garbage" * 50, "ktp.pdf"),  # the same, named .pdf
    (b"\xff\xd8\xff\xe0" + b"\x00junk" * 50, "ktp.jpg"),  # fake JPEG
    (b"", "kosong.pdf"),
]


def test_wrong_file_type_is_a_form_error_and_stores_nothing(app, supplier_client):
    entries = count(AuditEntry)
    for content, filename in WRONG_FILES:
        body = assert_page(_upload(supplier_client, content, filename), 422, (filename, content[:12]))
        assert 'class="error-summary"' in body, filename
    assert stored_files(app) == []
    assert count(SupplierDocument) == 0
    assert count(AuditEntry) == entries


def test_unknown_document_kind_is_422(app, supplier_client):
    assert_page(_upload(supplier_client, b"%PDF-1.4\n%ok\n", kind="paspor"), 422)
    assert stored_files(app) == []


def test_real_png_named_pdf_is_typed_by_its_content(app, supplier_client):
    """The type comes from the bytes, not the name: stored and served as PNG, never as PDF."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    assert _upload(supplier_client, buf.getvalue(), "ktp.pdf").status_code == 303
    doc = db.session.scalar(sa.select(SupplierDocument))
    assert doc.content_type == "image/png"
    assert doc.stored_name.endswith(".png")
    served = supplier_client.get(f"/usaha/dokumen/{doc.id}")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


# -- Injection strings: stored as typed, shown escaped ----------------------------------

def test_injection_strings_are_stored_and_shown_escaped(app, client, create_user):
    response = client.post("/daftar", data=registration(business_name=INJECTION, address=INJECTION))
    assert response.status_code == 303
    profile = db.session.scalar(sa.select(SupplierProfile))
    assert profile.org.name == INJECTION
    assert profile.address == INJECTION
    org_id = profile.org_id

    pages = {"/usaha": client.get("/usaha")}
    admin = app.test_client()
    assert admin.post("/masuk", data={"email": create_user(Role.ADMIN).email,
                                      "password": PASSWORD}).status_code == 303
    pages["/admin/penyedia"] = admin.get("/admin/penyedia")
    pages["/admin/penyedia/<id>"] = admin.get(f"/admin/penyedia/{org_id}")
    pages["/audit/"] = admin.get("/audit/")
    for name, page in pages.items():
        html = page.get_data(as_text=True)
        assert page.status_code == 200, name
        assert "<script>alert(1)</script>" not in html, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        assert "{{7*7}}" in html, name  # not evaluated as a template
    for name in ("/usaha", "/admin/penyedia/<id>"):
        assert pages[name].get_data(as_text=True).count(INJECTION_ESCAPED) >= 2, name  # name and address


def test_sql_injection_in_login_and_filters_is_harmless(app, admin_client):
    response = app.test_client().post("/masuk", data={"email": "' OR 1=1 --", "password": "' OR 1=1 --"})
    assert_page(response, 422)
    entry = '<code class="small muted">auth.login_failed</code>'  # an entry (the filter's options name it too)
    assert entry in admin_client.get("/audit/").get_data(as_text=True)
    page = admin_client.get("/audit/", query_string={"aksi": "' OR 1=1 --"})
    assert page.status_code == 200
    assert entry not in page.get_data(as_text=True)  # the filter matched nothing
    page = admin_client.get("/audit/", query_string={"aksi": "auth.%"})  # LIKE wildcards are literal
    assert entry not in page.get_data(as_text=True)


# -- Query values ---------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin/penyedia", "/admin/pengguna", "/audit/"])
def test_odd_page_numbers_give_a_page(admin_client, url):
    for hal in ["-1", "0", "abc", "99999999999", "99999999999999999999999", "1.5", "", "1e9", LONG]:
        assert_page(admin_client.get(url, query_string={"hal": hal}), 200, hal[:30])


def test_odd_filters_give_a_page(admin_client):
    for value in ["abc", "-1", "99999999999999999999", "0", "%", "_", INJECTION, LONG]:
        assert_page(admin_client.get("/admin/pengguna", query_string={"org": value}), 200, value[:30])
        assert_page(admin_client.get("/admin/penyedia", query_string={"status": value}), 200, value[:30])
        assert_page(admin_client.get("/audit/", query_string={"aksi": value}), 200, value[:30])


OFF_SITE = [
    "//evil.example", "https://evil.example/", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/\n/evil.example", "javascript:alert(1)", "http:evil.example", " //evil.example",
]


def test_login_next_stays_on_site(app, create_user):
    user = create_user(Role.PP)
    for target in OFF_SITE:
        client = app.test_client()
        response = client.post("/masuk", query_string={"next": target},
                               data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303, target
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost"), (target, response.headers["Location"])
        assert location.scheme in ("", "http", "https"), target
        assert not location.path.startswith("//"), target
        assert "evil.example" not in response.headers["Location"], target


def test_login_next_on_site_path_is_kept(app, create_user):
    user = create_user(Role.PP)
    response = app.test_client().post("/masuk", query_string={"next": "/akun"},
                                      data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/akun"


def test_language_next_stays_on_site(client):
    for target in OFF_SITE:
        response = client.post("/bahasa", data={"lang": "en", "next": target})
        assert response.status_code == 303, target
        assert "evil.example" not in response.headers["Location"], target


# -- Very long values -------------------------------------------------------------------

def test_long_login_values_are_422(client):
    assert_page(client.post("/masuk", data={"email": LONG, "password": "x"}), 422)
    assert_page(client.post("/masuk", data={"email": "a@contoh.id", "password": LONG}), 422)
    assert_page(client.post("/lupa-sandi", data={"email": LONG}), 422)


def test_long_registration_fields_are_422(client):
    orgs = count(Organisation)
    for field in ["business_name", "address", "kecamatan", "region_name", "region_code",
                  "phone", "contact_name", "email", "nib", "npwp"]:
        assert_page(client.post("/daftar", data=registration(**{field: LONG})), 422, field)
    assert count(Organisation) == orgs


def test_long_registration_password_is_422(client):
    orgs = count(Organisation)
    assert_page(client.post("/daftar", data=registration(password=LONG, confirm=LONG)), 422)
    assert count(Organisation) == orgs
    assert count(User) == 0


def test_long_admin_fields_are_422(admin_client, create_org, create_supplier):
    opd = create_org(OrgKind.OPD)
    supplier = create_supplier(with_document=True)
    orgs, users = count(Organisation), count(User)
    assert_page(admin_client.post("/admin/opd", data={"name": LONG, "code": "", "kind": "opd"}), 422)
    assert_page(admin_client.post("/admin/opd", data={"name": "Dinas", "code": LONG, "kind": "opd"}), 422)
    for field in ("name", "email"):
        data = {"name": "Pegawai", "email": "p@contoh.go.id", "role": "pp", "org_id": str(opd.id)}
        data[field] = LONG
        assert_page(admin_client.post("/admin/pengguna", data=data), 422)
    assert (count(Organisation), count(User)) == (orgs, users)
    assert_page(admin_client.post(f"/admin/penyedia/{supplier.org_id}/tolak",
                                  data={"reject-reason": LONG}), 422)
    assert_page(admin_client.post(f"/admin/penyedia/{supplier.org_id}/sanksi", data={
        "sanction-sanction": "suspended", "sanction-reason": LONG, "sanction-until": "2099-01-01"}), 422)
    db.session.expire_all()
    profile = db.session.get(SupplierProfile, supplier.org_id)
    assert profile.verification is VerificationStatus.UNVERIFIED
    assert profile.sanction is Sanction.NONE


def test_long_new_password_is_422_and_keeps_the_old_one(app, auth, client, create_user):
    user = create_user(Role.PP)
    auth.login(user)
    old_hash = user.password_hash
    response = client.post("/akun/sandi",
                           data={"current_password": PASSWORD, "password": LONG, "confirm": LONG})
    assert_page(response, 422)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


# -- Password reset tokens --------------------------------------------------------------

def _signed(app, payload, secret: str | None = None) -> str:
    return URLSafeTimedSerializer(secret or app.config["SECRET_KEY"], salt="password-reset").dumps(payload)


def test_invalid_reset_tokens_are_404(app, client, create_user, monkeypatch):
    user = create_user(Role.PP)
    good = accounts.make_reset_token(user)
    real_get_timestamp = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 10 * 24 * 3600)
    expired = accounts.make_reset_token(user)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real_get_timestamp)
    tokens = [
        "abc", "0", LONG, good[:-2] + ("AA" if not good.endswith("AA") else "BB"), good + "x",
        expired,
        _signed(app, {"u": user.id, "h": user.password_hash[-16:]}, secret="another-secret-key-" * 3),
        _signed(app, [user.id]), _signed(app, "teks"), _signed(app, {"u": str(user.id), "h": "x"}),
        _signed(app, {"u": 2**70, "h": "x"}), _signed(app, {"u": -1, "h": "x"}), _signed(app, {"h": "x"}),
        _signed(app, {"u": user.id, "h": "bukan-sidik-jari"}),
    ]
    for token in tokens:
        assert_page(client.get(f"/atur-ulang-sandi/{token}"), 404)
        assert_page(client.post(f"/atur-ulang-sandi/{token}",
                                data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}), 404)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash
    assert client.get(f"/atur-ulang-sandi/{good}").status_code == 200  # the real one still works


def test_used_reset_token_is_404(app, client, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    response = client.post(f"/atur-ulang-sandi/{token}", data={"password": "sandi-baru-123",
                                                               "confirm": "sandi-baru-123"})
    assert response.status_code == 303
    assert_page(client.get(f"/atur-ulang-sandi/{token}"), 404)


def test_long_password_on_reset_is_422(app, client, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    assert_page(client.post(f"/atur-ulang-sandi/{token}", data={"password": LONG, "confirm": LONG}), 422)


def test_account_status_form_accepts_only_its_two_values(client, auth, create_user):
    auth.login(create_user(Role.ADMIN))
    user = create_user(Role.PP)
    for value in (None, "maybe", "", "2"):
        data = {} if value is None else {"active": value}
        response = client.post(f"/admin/pengguna/{user.id}/status", data=data)
        assert response.status_code == 400
        assert user.active


@pytest.mark.parametrize("url", ["/admin/penyedia?q=a%00b", "/audit/?aksi=%00", "/admin/pengguna?hal=%00"])
def test_nul_bytes_in_a_query_get_a_clear_400(admin_client, url):
    # PostgreSQL text cannot hold NUL: refused up front, the same on both databases.
    assert_page(admin_client.get(url), 400, url)


def test_nul_bytes_in_a_form_get_a_clear_400(client):
    response = client.post("/daftar", data={"business_name": "Toko\x00Jaya"})
    assert_page(response, 400, "form")


@pytest.mark.parametrize("value", ["²", "٣٤", "9" * 5000, "1" * 19, "０"])
def test_unicode_and_endless_digits_in_numbers_are_explained_not_fatal(client, value):
    """"²" is a digit to str.isdigit() but not to int(); 5,000 digits exceed int()'s limit."""
    for url in (f"/katalog?harga_min={value}&harga_maks={value}", f"/bandingkan?id={value}&id=1",
                f"/katalog?hal={value}"):
        response = client.get(url)
        assert response.status_code == 200, (url[:60], response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)
