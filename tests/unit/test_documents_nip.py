"""Officials' NIP: the 18-digit structure, uniqueness and who may change it (issue 11)."""
from __future__ import annotations

import random

import pytest

from pbj.demo import demo_nips
from pbj.extensions import db
from pbj.models.accounts import Role
from pbj.services import accounts
from pbj.services.errors import DomainError, NotAllowed

# Worked by hand: birth date YYYYMMDD | appointment YYYYMM | sex | serial.
VALID = [
    ("198503122010011004", "198503122010011004"),        # 12 Mar 1985, Jan 2010, man, 004
    ("19850312 201001 1 004", "198503122010011004"),     # as printed under signatures
    ("19700229" + "199503" + "2" + "001", None),          # 1970 is no leap year: refused below
    ("200002292022122999", "200002292022122999"),        # 29 Feb 2000 exists; Dec 2022, woman, 999
    ("19661231.199901.2.010", "196612311999012010"),     # dots dropped
]
REFUSED = [
    ("19850312201001100", "tepat 18 angka"),                 # 17 digits
    ("1985031220100110045", "tepat 18 angka"),               # 19 digits
    ("19850312201001100A", "tepat 18 angka"),                # a letter
    ("１９８５０３１２２０１００１１００４", "tepat 18 angka"),  # full-width digits
    ("198513122010011004", "tanggal lahir"),                # month 13
    ("197002292010011004", "tanggal lahir"),                # 29 Feb 1970
    ("198503122010131004", "pengangkatan"),               # appointment month 13
    ("198503121990011004", "pengangkatan"),               # appointed at 4 years old
    ("198503122010013004", "Angka ke-15"),                  # sex digit 3
    ("198503122010011000", "nomor urut"),                    # serial 000
]


@pytest.mark.parametrize("raw, expected", [case for case in VALID if case[1] is not None])
def test_valid_nips_are_kept_as_18_digits(app, raw, expected):
    assert accounts.clean_nip(raw) == expected


@pytest.mark.parametrize("raw, reason", REFUSED + [("197002291995032001", "tanggal lahir")])
def test_impossible_nips_are_refused_with_the_reason(app, raw, reason):
    with pytest.raises(DomainError) as refused:
        accounts.clean_nip(raw)
    assert refused.value.field == "nip"
    assert reason in str(refused.value.message)  # in Indonesian, the UI's language


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_means_no_nip(app, raw):
    assert accounts.clean_nip(raw) is None


def test_official_sets_own_nip_admin_sets_anyones_others_may_not(app, create_user):
    ppk, pp, admin = create_user(Role.PPK), create_user(Role.PP), create_user(Role.ADMIN)
    accounts.set_nip(ppk, ppk, "19850312 201001 1 004")
    assert ppk.nip == "198503122010011004"
    with pytest.raises(NotAllowed):
        accounts.set_nip(pp, ppk, "198503122010011005")
    accounts.set_nip(admin, pp, "199001012015032007")
    assert pp.nip == "199001012015032007"
    with pytest.raises(DomainError, match="sudah dipakai akun lain"):
        accounts.set_nip(admin, pp, "198503122010011004")  # the PPK's
    with pytest.raises(DomainError, match="hanya pejabat"):
        accounts.set_nip(admin, admin, "198503122010011006")
    accounts.set_nip(ppk, ppk, "")
    db.session.flush()
    assert ppk.nip is None


def test_demo_nips_are_unique_and_valid(app):
    nips = demo_nips(random.Random(1), 2026)
    made = [next(nips) for _ in range(300)]
    assert len(set(made)) == 300
    assert all(accounts.clean_nip(nip) == nip for nip in made)
