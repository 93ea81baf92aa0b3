"""Password hashing (argon2id) and the password policy (ASVS 5.0 §6.2).

The policy: 12–128 characters counted after NFC normalisation, no composition
rules, and not guessable — zxcvbn's estimate, fed with the user's own details
and the site's words, must reach PASSWORD_MIN_SCORE. Every place a password is
chosen calls `check_policy` (through `hash_password`) with the user's context.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from pbj.messages import lazy_gettext as _l
from pbj.services.errors import DomainError

# Own details shorter than this are left to the estimator: refusing every
# password that merely contains "pu" or "ani" would refuse ordinary words.
_MIN_FORBIDDEN_LENGTH = 4
_MIN_NAME_LENGTH = 8

# zxcvbn's warning (English, fixed in the pinned version) -> our own sentence.
_WARNINGS = {
    "This is a top-10 common password.": "common",
    "This is a top-100 common password.": "common",
    "This is a very common password.": "common",
    "This is similar to a commonly used password.": "similar",
    'Repeats like "aaa" are easy to guess.': "repeat",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "repeat",
    'Sequences like "abc" or "6543" are easy to guess.': "sequence",
    "Straight rows of keys are easy to guess.": "keyboard",
    "Short keyboard patterns are easy to guess.": "keyboard",
    "Recent years are easy to guess.": "date",
    "Dates are often easy to guess.": "date",
    "A word by itself is easy to guess.": "word",
    "Names and surnames by themselves are easy to guess.": "word",
    "Common names and surnames are easy to guess.": "word",
}

# zxcvbn tries every reading of look-alike symbols as letters ("@" as a, "|" as i or l,
# "(" "{" "[" "<" as c ...): a password full of different ones has hundreds of readings
# and costs seconds of CPU. Past a few readings, symbols standing for the same letter
# are read as one ("@" as "4"), which can only lower the estimate, never raise it.
_MAX_LOOKALIKE_READINGS = 4
_ONE_LOOKALIKE_PER_LETTER = str.maketrans(
    {"@": "4", "{": "(", "[": "(", "<": "(", "!": "1", "|": "1", "+": "7", "$": "5"})


def _estimator_input(password: str) -> str:
    from zxcvbn.matching import L33T_TABLE  # imported when needed, like zxcvbn itself

    readings = 1
    for lookalikes in L33T_TABLE.values():
        readings *= max(1, sum(ch in password for ch in lookalikes))
    if readings <= _MAX_LOOKALIKE_READINGS:
        return password
    return password.translate(_ONE_LOOKALIKE_PER_LETTER)


# zxcvbn keeps the user's words in a module-level dictionary for the duration
# of one call: two threads estimating at once would see each other's words.
_estimator_lock = threading.Lock()


def _guessable_message(kind: str):
    messages = {
        "common": _l("This password is easy to guess: it is one of the most used passwords. "
                     "Use a few uncommon words, for example a short sentence."),
        "common_word": _l("This password is easy to guess: it is built from words that many people "
                          "put in their passwords. Use a few uncommon words, for example a short sentence."),
        "similar": _l("This password is easy to guess: it is very like a commonly used password. "
                      "Use a few uncommon words, for example a short sentence."),
        "repeat": _l("This password is easy to guess: it repeats characters or words. "
                     "Use a few different, uncommon words."),
        "sequence": _l("This password is easy to guess: it is a sequence such as \"abc\" or \"6543\". "
                       "Use a few uncommon words, for example a short sentence."),
        "keyboard": _l("This password is easy to guess: it follows the keys of the keyboard. "
                       "Use a few uncommon words, for example a short sentence."),
        "date": _l("This password is easy to guess: years and dates are among the first things tried. "
                   "Use a few uncommon words, for example a short sentence."),
        "word": _l("This password is easy to guess: a single word or name with a few additions "
                   "is among the first things tried. Add a few more uncommon words."),
        "personal": _l("This password is easy to guess: it is built from your e-mail address, your name, "
                       "your organisation or words tied to this site, such as the city's name. "
                       "Choose words that say nothing about you."),
    }
    return messages.get(kind) or _l(
        "This password is easy to guess. Use a few uncommon words, for example a short sentence "
        "that only you would think of.")


def normalise(password: str) -> str:
    """The form a password is measured and hashed in (composed accents, NFC)."""
    return unicodedata.normalize("NFC", password)


def _compact(text: str) -> str:
    """Lower-case letters and digits only: "Budi.Santoso" and "budi-santoso" compare equal."""
    return "".join(ch for ch in normalise(text).casefold() if ch.isalnum())


def _words(texts: Iterable[str | None]) -> list[str]:
    """Texts as zxcvbn dictionary words: whole, compacted and split into parts."""
    words: list[str] = []
    for text in texts:
        if not text:
            continue
        text = normalise(str(text)).casefold()
        words += [text, _compact(text)]
        words += [part for part in re.split(r"[\W_]+", text) if len(part) >= 3]
    return list(dict.fromkeys(w for w in words if w))


def _personal_words(email: str | None, names: Iterable[str | None], org_code: str | None) -> list[str]:
    """The user's own details, and the city's names everyone here would try."""
    cfg = current_app.config
    local_part = (email or "").partition("@")[0]
    return _words([email, local_part, org_code, *names, cfg.get("CITY_NAME"),
                   cfg.get("CITY_PROVINCE"), *cfg.get("CITY_KECAMATAN", ())])


def _forbidden_parts(email: str | None, names: Iterable[str | None], org_code: str | None) -> list[str]:
    """Details a password may not contain at all, compared letters and digits only."""
    local_part = (email or "").partition("@")[0]
    parts = [p for p in (_compact(local_part), _compact(org_code or "")) if len(p) >= _MIN_FORBIDDEN_LENGTH]
    # A whole name ("Budi Santoso", "Dinas Pendidikan"), not one short given name.
    return parts + [p for p in map(_compact, (n or "" for n in names)) if len(p) >= _MIN_NAME_LENGTH]


def check_policy(password: str, *, email: str | None = None, names: Iterable[str | None] = (),
                 org_code: str | None = None) -> None:
    """Refuse a password that is too short, too long or guessable for this user.

    `email`, `names` (person, organisation, business) and `org_code` are the
    user's own details: a password built from them is refused.
    """
    cfg = current_app.config
    names = list(names)
    password = normalise(password)
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        raise DomainError(
            _l("Password must be at least %(n)d characters.", n=cfg["PASSWORD_MIN_LENGTH"]),
            field="password",
        )
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        raise DomainError(
            _l("Password must be at most %(n)d characters.", n=cfg["PASSWORD_MAX_LENGTH"]),
            field="password",
        )
    compact = _compact(password)
    if any(part in compact for part in _forbidden_parts(email, names, org_code)):
        raise DomainError(_guessable_message("personal"), field="password")
    personal = _personal_words(email, names, org_code)
    common = _words(cfg["PASSWORD_GUESSABLE_WORDS"])
    # Imported on the first check: zxcvbn's word lists cost a worker about 14 MB, and
    # most requests never choose a password.
    from zxcvbn import zxcvbn

    with _estimator_lock:
        result = zxcvbn(_estimator_input(password), user_inputs=personal + common,
                        max_length=cfg["PASSWORD_MAX_LENGTH"])
    if result["score"] < cfg["PASSWORD_MIN_SCORE"]:
        matched = {m["matched_word"] for m in result["sequence"]
                   if m.get("dictionary_name") == "user_inputs" and len(m["token"]) >= 3}
        if matched & set(personal):
            kind = "personal"
        elif matched:
            kind = "common_word"
        else:
            kind = _WARNINGS.get(result["feedback"]["warning"], "")
        raise DomainError(_guessable_message(kind), field="password")


def hash_password(password: str, *, email: str | None = None, names: Iterable[str | None] = (),
                  org_code: str | None = None) -> str:
    check_policy(password, email=email, names=names, org_code=org_code)
    return _hasher().hash(normalise(password))


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST_KIB"]
    )


def needs_rehash(password_hash: str) -> bool:
    """A hash made at another argon2 cost than the configured one (the demo accounts',
    or one from before the cost was raised): `authenticate` makes it anew at login."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False  # an invited account's placeholder: no password to rehash


def rehash(password: str) -> str:
    """The hash of a password that was just verified (no policy check: it is not new)."""
    return _hasher().hash(normalise(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        # Hashes made before passwords were normalised hold the text as typed.
        if normalise(password) == password:
            return False
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


# Verified against when the e-mail is unknown, so a wrong address costs the
# same time as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH: dict[tuple, str] = {}


def burn_time(password: str) -> None:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST_KIB"])
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = _hasher().hash("not-a-real-password")
    verify_password(_DUMMY_HASH[key], password)
