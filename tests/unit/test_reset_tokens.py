"""Password-reset tokens: single use through an HMAC of the hash, never the hash itself."""
from __future__ import annotations

import json

from itsdangerous import URLSafeTimedSerializer

from pbj.models.accounts import Role
from pbj.services import accounts
from tests.conftest import PASSWORD


def _serializer(app) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset")


def _payload(app, token: str) -> dict:
    return _serializer(app).loads(token)


def _pieces(secret: str, size: int = 8) -> set[str]:
    return {secret[i:i + size] for i in range(len(secret) - size + 1)}


def test_token_carries_no_part_of_the_password_hash(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    payload = _payload(app, token)
    assert set(payload) == {"u", "h"} and payload["u"] == user.id
    # "$argon2id$v=19$m=…,t=…,p=…$<salt>$<digest>": the salt and digest are the secret parts.
    salt, digest = user.password_hash.split("$")[-2:]
    readable = json.dumps(payload) + token
    assert not any(piece in readable for piece in _pieces(salt) | _pieces(digest))


def test_used_token_is_refused(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    assert accounts.user_for_reset_token(token) == user
    accounts.reset_password(user, "kata-sandi-baru-456")
    assert accounts.user_for_reset_token(token) is None


def test_password_change_voids_earlier_tokens(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    accounts.change_password(user, PASSWORD, "kata-sandi-baru-456")
    assert accounts.user_for_reset_token(token) is None
    assert accounts.user_for_reset_token(accounts.make_reset_token(user)) == user


def test_expired_token_is_refused(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] = -1
    assert accounts.user_for_reset_token(token) is None


def test_token_for_another_user_is_refused(app, create_user):
    """The fingerprint is bound to its own user: moving it to another id (even
    signed with the right key) opens nothing."""
    victim, attacker = create_user(Role.PPK), create_user(Role.PP)
    stolen = _payload(app, accounts.make_reset_token(attacker))["h"]
    moved = _serializer(app).dumps({"u": victim.id, "h": stolen})
    assert accounts.user_for_reset_token(moved) is None
    assert accounts.user_for_reset_token(accounts.make_reset_token(victim)) == victim


def test_token_from_another_secret_key_is_refused(app, create_user):
    user = create_user(Role.PP)
    token = accounts.make_reset_token(user)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-0987654321"
    assert accounts.user_for_reset_token(token) is None
