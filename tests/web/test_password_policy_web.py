"""Every form where a password is chosen refuses a guessable one, in Indonesian, with 422."""
import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role
from pbj.services import accounts
from tests.conftest import PASSWORD

REGISTRATION = {
    "business_name": "Toko Kue Bu Ani", "nib": "9876543210123", "npwp": "9876543210123456",
    "scale": "mikro", "address": "Jl. Pasar 1", "kecamatan": "Singkawang Barat",
    "region_code": "61.72", "region_name": "Kota Singkawang", "phone": "0562 631234",
    "contact_name": "Ani Lestari", "email": "ani.lestari@kuebuani.id",
}


def _refused(response, reason: str) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in body
    assert reason in body
    return body


def test_registration_refuses_a_guessable_password(client):
    for password, reason in [
        ("pp@setda", "Kata sandi minimal 12 karakter."),
        ("Singkawang2026", "Kata sandi ini mudah ditebak: disusun dari alamat e-mail, nama"),
        ("ani.lestari-2026", "Kata sandi ini mudah ditebak: disusun dari alamat e-mail, nama"),
        ("aaaaaaaaaaaa", "Kata sandi ini mudah ditebak: isinya huruf atau kata yang diulang-ulang."),
    ]:
        _refused(client.post("/daftar", data={**REGISTRATION, "password": password, "confirm": password}),
                 reason)
    # Nothing was written for the refused attempts.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)
                             .where(Organisation.kind == OrgKind.SUPPLIER)) == 0
    good = "adonan lapis legit tujuh belas lapis"
    response = client.post("/daftar", data={**REGISTRATION, "password": good, "confirm": good})
    assert response.status_code == 303
    assert accounts.authenticate("ani.lestari@kuebuani.id", good) is not None


def test_password_change_refuses_a_guessable_password(client, auth, create_user):
    user = create_user(Role.PP, email="rahmat.hidayat@contoh.go.id")
    auth.login(user)
    for password in ["12345678", "password", "Password2026!", "Rahmat.Hidayat-kopi-pagi"]:
        body = _refused(client.post("/akun/sandi", data={"current_password": PASSWORD, "password": password,
                                                         "confirm": password}), "Kata sandi")
        assert "guess" not in body  # zxcvbn's English never reaches the page
    db.session.expire_all()
    assert accounts.authenticate(user.email, PASSWORD) is not None  # unchanged


def test_password_reset_refuses_a_guessable_password(client, create_user):
    user = create_user(Role.PPK)
    path = f"/atur-ulang-sandi/{accounts.make_reset_token(user)}"
    _refused(client.post(path, data={"password": "Singkawang2026", "confirm": "Singkawang2026"}),
             "Kata sandi ini mudah ditebak")
    _refused(client.post(path, data={"password": "qwerty123456", "confirm": "qwerty123456"}),
             "Kata sandi ini mudah ditebak")
    response = client.post(path, data={"password": "kopi susu di pasar hongkong pagi hari",
                                       "confirm": "kopi susu di pasar hongkong pagi hari"})
    assert response.status_code == 303


def test_the_forms_state_the_rule(client, auth, create_user):
    assert "Minimal 12 karakter, tidak disusun dari nama" in client.get("/daftar").get_data(as_text=True)
    auth.login(create_user(Role.PP))
    assert "Minimal 12 karakter, tidak disusun dari nama" in client.get("/akun").get_data(as_text=True)
