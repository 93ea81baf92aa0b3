"""The forms in which the conflict-of-interest check compares people and businesses.

Two records match when their normal forms are equal: a name without titles, degrees,
case or punctuation; a phone number as its national digits; an NPWP as its 15-digit
form; an address without punctuation and with the usual abbreviations spelt one way;
an account number as its digits.
"""
from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")

# Titles and degrees left out when names are compared ("Drs. H. Ahmad Yani, S.E." = "Ahmad Yani").
_TITLES = frozenset("""
drs dra dr ir h hj prof st se sh mm msi mpd spd skom sos ssos amd ak mh mt mkes skm sked ked sp spd sip si me mba
ssi sag mag shi mhi sfarm apt ns skep bsc msc phd ba
""".split())

# Address words written several ways ("Jl." / "Jalan", "No." / "Nomor", "Gg." / "Gang").
_ADDRESS_WORDS = {"jalan": "jl", "jln": "jl", "nomor": "no", "nomer": "no", "gang": "gg", "kelurahan": "kel",
                  "kecamatan": "kec", "kota": "", "kabupaten": "kab", "komplek": "komp", "kompleks": "komp",
                  "perumahan": "perum"}


def digits(value: str | None) -> str:
    return _NON_DIGITS.sub("", value or "")


def normal_name(name: str | None) -> str:
    """A person's name: casefolded, without titles, degrees, punctuation or spaces."""
    words = []
    for part in (name or "").casefold().split(","):
        for word in part.split():
            bare = re.sub(r"[^\w]", "", word)
            if bare and bare not in _TITLES:
                words.append(bare)
        # Everything after the first comma are degrees ("Ahmad Yani, S.E., M.M.").
        if words:
            break
    return "".join(words)


def normal_phone(phone: str | None) -> str:
    """National digits: +62 812… and 0812… are the same number. Too short to be a
    number (under 6 digits) is no number."""
    number = digits(phone)
    if number.startswith("62"):
        number = "0" + number[2:]
    return number if len(number) >= 6 else ""


def normal_npwp(npwp: str | None) -> str:
    """The 16-digit NPWP of a business is its 15-digit one with a leading 0 (PMK
    112/2022), so both compare as 15 digits; a person's NIK-based NPWP stays 16."""
    number = digits(npwp)
    if len(number) == 16 and number.startswith("0"):
        number = number[1:]
    return number if len(number) in (15, 16) else ""


def normal_address(address: str | None) -> str:
    """Casefolded words without punctuation, common abbreviations spelt one way, joined."""
    words = []
    for word in re.split(r"[\s,.;:/()-]+", (address or "").casefold()):
        word = _ADDRESS_WORDS.get(word, word)
        if word:
            words.append(word)
    # A street and number alone (two words) is too little to say two addresses are one.
    return " ".join(words) if len(words) >= 3 else ""


def normal_account(account: str | None) -> str:
    number = digits(account)
    return number if len(number) >= 6 else ""
