"""The password policy (ASVS 5.0 §6.2): length after NFC, no composition rules, not guessable."""
import unicodedata

import pytest
from flask_babel import force_locale

from pbj.models.accounts import OrgKind, Role
from pbj.services import accounts
from pbj.services.errors import DomainError
from pbj.services.passwords import _estimator_input, check_policy, hash_password, verify_password
from tests.refusals import refused

TOO_SHORT = "Password must be at least %(n)d characters."
TOO_LONG = "Password must be at most %(n)d characters."
PERSONAL = ("This password is easy to guess: it is built from your e-mail address, your name, "
            "your organisation or words tied to this site, such as the city's name. "
            "Choose words that say nothing about you.")
REPEATS = ("This password is easy to guess: it repeats characters or words. "
           "Use a few different, uncommon words.")
LIKE_A_COMMON_ONE = ("This password is easy to guess: it is very like a commonly used password. "
                     "Use a few uncommon words, for example a short sentence.")
COMMON_WORDS = ("This password is easy to guess: it is built from words that many people put in their "
                "passwords. Use a few uncommon words, for example a short sentence.")
GUESSABLE = ("This password is easy to guess. Use a few uncommon words, for example a short sentence "
             "that only you would think of.")

# A PP of the Sekretariat Daerah, the user the weak passwords were seen for.
CONTEXT = {"email": "pp@setda.singkawangkota.go.id", "names": ("Budi Santoso", "Sekretariat Daerah"),
           "org_code": "SETDA"}

REFUSED = [  # password, the reason (msgid), what the Indonesian text says
    ("12345678", TOO_SHORT, "minimal 12 karakter"),
    ("password", TOO_SHORT, "minimal 12 karakter"),
    ("aaaaaaaa", TOO_SHORT, "minimal 12 karakter"),
    ("pp@setda", TOO_SHORT, "minimal 12 karakter"),
    ("aaaaaaaaaaaa", REPEATS, "diulang-ulang"),
    ("Singkawang2026", PERSONAL, "nama kota"),  # the city is everyone's first guess here
    ("pp@setda-2026!", PERSONAL, "alamat e-mail"),
    ("xyz-setda-kopi-tubruk", PERSONAL, "alamat e-mail"),  # contains the organisation code
    ("Budi-Santoso-ku", PERSONAL, "alamat e-mail"),  # the user's whole name
    ("budi.santoso.singkawang", PERSONAL, "alamat e-mail"),
    ("Password2026!", LIKE_A_COMMON_ONE, "mirip dengan kata sandi yang umum"),
    ("qwertyuiopasdf", LIKE_A_COMMON_ONE, "mudah ditebak"),
    ("bismillah123", COMMON_WORDS, "banyak dipakai orang"),
    ("a" * 129, TOO_LONG, "maksimal 128 karakter"),
]

ACCEPTED = [
    "kopi susu di pasar hongkong pagi hari",
    "Sandi-Bárù untuk kantor ☕ pagi",  # any Unicode
    "ꦏꦺꦴꦥꦶ ꦱꦸꦱꦸ ꦥꦒꦶ 日本語のパスワード",
    "tungku naga di sedau " * 6,  # 126 characters: long passphrases are welcome
]


@pytest.mark.parametrize("password, msgid, reason", REFUSED)
def test_weak_passwords_are_refused_with_an_indonesian_reason(app, password, msgid, reason):
    with refused(DomainError, msgid, field="password") as err, force_locale("id"):
        check_policy(password, **CONTEXT)
    with force_locale("id"):
        message = str(err.value.message)
    assert reason in message
    assert "guess" not in message  # never zxcvbn's English text


@pytest.mark.parametrize("password", ACCEPTED)
def test_passphrases_are_accepted(app, password):
    check_policy(password, **CONTEXT)
    assert verify_password(hash_password(password, **CONTEXT), password)


def test_the_email_local_part_is_refused_in_any_case(app):
    with refused(DomainError, PERSONAL, field="password"):
        check_policy("kopi-RAHMAT.HIDAYAT-pagi", email="rahmat.hidayat@contoh.go.id")
    check_policy("kopi-rahmat-pagi-hari-ini", email="rahmat.hidayat@contoh.go.id")


def test_length_counts_characters_after_nfc(app):
    # 12 characters; typed with combining accents it is 15 code points.
    passphrase = unicodedata.normalize("NFD", "pāhit bü kōm")
    assert len(passphrase) == 15
    app.config["PASSWORD_MIN_LENGTH"] = 13
    with refused(DomainError, TOO_SHORT, field="password", n=13) as err, force_locale("id"):
        check_policy(passphrase)
    with force_locale("id"):
        assert "minimal 13 karakter" in str(err.value.message)
    app.config["PASSWORD_MIN_LENGTH"], app.config["PASSWORD_MAX_LENGTH"] = 12, 12
    check_policy(passphrase)  # 15 code points, yet within a 12-character maximum


def test_the_same_passphrase_logs_in_whichever_way_it_was_typed(app):
    typed_on_one_device = unicodedata.normalize("NFC", "Kopi Pāhit di Pasar Hongkong")
    typed_on_another = unicodedata.normalize("NFD", typed_on_one_device)
    assert typed_on_one_device != typed_on_another
    assert verify_password(hash_password(typed_on_one_device), typed_on_another)


def test_minimum_length_and_score_are_configurable(app):
    check_policy("purple monkey")  # two common words: score 3, the default minimum
    app.config["PASSWORD_MIN_SCORE"] = 4
    with refused(DomainError, GUESSABLE, field="password"):
        check_policy("purple monkey")
    app.config["PASSWORD_MIN_SCORE"], app.config["PASSWORD_MIN_LENGTH"] = 3, 14
    with refused(DomainError, TOO_SHORT, field="password", n=14):
        check_policy("purple monkey")


def test_accounts_check_the_users_own_details(app, create_org, create_user):
    setda = create_org(OrgKind.OPD, name="Sekretariat Daerah", code="SETDA")
    with refused(DomainError, PERSONAL, field="password"):
        accounts.create_user(None, org=setda, email="pp@setda.go.id", name="Budi Santoso", role=Role.PP,
                             password="setda-budi-santoso")
    user = accounts.create_user(None, org=setda, email="pp@setda.go.id", name="Budi Santoso", role=Role.PP,
                                password="kopi susu di pasar hongkong")
    with refused(DomainError, PERSONAL, field="password"):
        accounts.reset_password(user, "Budi Santoso 2026!")
    with refused(DomainError, PERSONAL, field="password"):
        accounts.change_password(user, "kopi susu di pasar hongkong", "kantor SETDA pagi hari")


def test_lookalike_symbols_are_read_one_per_letter_when_there_are_many(app):
    # Hundreds of ways to read these as letters cost zxcvbn seconds (bench/passwords.py);
    # past a few, symbols standing for the same letter are read as one.
    hostile = ("4@8({[<3610!|+7$5%29" * 7)[:128]
    assert set(_estimator_input(hostile)).isdisjoint("@{[<!|+$")
    check_policy(hostile)  # still long and random enough to accept
    assert _estimator_input("P@ssw0rd-kopi") == "P@ssw0rd-kopi"  # few readings: read as typed
    with refused(DomainError, LIKE_A_COMMON_ONE, field="password"):
        check_policy("P@ssw0rd2026!")


def test_demo_accounts_start_cheaper_and_reach_the_configured_cost_at_login(app, create_org):
    """Only the demo seed hashes below the configured argon2 cost (its passwords are random);
    the first login makes the hash again at the configured cost."""
    from argon2 import extract_parameters

    from pbj.demo import DEMO_ARGON2_MEMORY_COST_KIB, DEMO_ARGON2_TIME_COST, _demo_password_cost

    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST_KIB=2 * DEMO_ARGON2_MEMORY_COST_KIB)
    org = create_org(OrgKind.OPD, code="DINKES")
    with _demo_password_cost():
        demo = accounts.create_user(None, org=org, email="pp@dinkes.demo", name="Siti Aminah",
                                    role=Role.PP, password="lampion merah di pasiran")
    real = accounts.create_user(None, org=org, email="ppk@dinkes.go.id", name="Lim Ahua",
                                role=Role.PPK, password="tempayan naga di sedau")
    cheap = extract_parameters(demo.password_hash)
    assert (cheap.time_cost, cheap.memory_cost) == (DEMO_ARGON2_TIME_COST, DEMO_ARGON2_MEMORY_COST_KIB)
    assert app.config["ARGON2_TIME_COST"] == 2  # the seed's cost ends with the seed
    configured = extract_parameters(real.password_hash)
    assert (configured.time_cost, configured.memory_cost) == (2, 2 * DEMO_ARGON2_MEMORY_COST_KIB)

    assert accounts.authenticate("pp@dinkes.demo", "lampion merah di pasiran") is demo
    raised = extract_parameters(demo.password_hash)
    assert (raised.time_cost, raised.memory_cost) == (2, 2 * DEMO_ARGON2_MEMORY_COST_KIB)
    assert verify_password(demo.password_hash, "lampion merah di pasiran")
    unchanged = real.password_hash
    assert accounts.authenticate("ppk@dinkes.go.id", "tempayan naga di sedau") is real
    assert real.password_hash == unchanged  # already at the configured cost: left alone


def test_the_demo_cost_never_raises_a_lower_configured_one(app):
    from pbj.demo import _demo_password_cost

    app.config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST_KIB=1024)  # as the tests run
    with _demo_password_cost():
        assert (app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST_KIB"]) == (1, 1024)
