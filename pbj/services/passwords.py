"""Password hashing (argon2id) and the length policy (no composition rules)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from pbj.services.errors import DomainError
from pbj.messages import lazy_gettext as _l


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST_KIB"]
    )


def check_policy(password: str) -> None:
    cfg = current_app.config
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


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
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
