"""Throttling of guessable actions, counted in state that every worker shares.

What is counted, and against what key:
- failed logins per (account, client address) and per client address. Only
  failures count and a successful login clears its (account, address) pair, so
  an attacker's failures slow the attacker's address down, never the owner
  logging in from another one. There is deliberately no per-account limit over
  all addresses: anything that blocks would be a lock-out an attacker can
  trigger at will, and a server-side delay would tie up a worker (a denial of
  service of the whole site). A guesser spread over many addresses meets the
  per-address limit on each, argon2 on every guess, and the audit trail
  (`auth.login_failed`) where an admin sees the attack;
- wrong current passwords on the change-password form, per account;
- password-reset requests per client address (every request counts).

A limit is "N per [M] second|minute|hour|day" over a rolling window: an attempt
counts until `window` after it happened. Two stores hold the attempts:
`SqlStore` (rows in `throttle_hits`, flushed in the request's transaction,
which the view commits) for the embedded default, and `RedisStore` (one sorted
set per key) when `REDIS_URL` is set, through `FallbackStore`: while Redis cannot
be reached, the attempts are counted in the database instead. Two workers failing at the same instant
may both pass a check and overshoot a limit by one; that is accepted.

E-mail and client addresses are hashed into the key, so the store holds
neither (people type passwords into the e-mail field).
"""
from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

import sqlalchemy as sa

from pbj.extensions import db
from pbj.models.throttle import ThrottleHit

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"\s*(\d+)\s+per\s+(?:(\d+)\s+)?(second|minute|hour|day)s?\s*", re.IGNORECASE)
# Expired rows removed per write: enough to keep up (a write adds one or two).
_PRUNE_BATCH = 100


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta

    @classmethod
    def parse(cls, text: str) -> Limit:
        """"5 per 15 minutes" → Limit(5, 15 minutes); ValueError when it does not read so."""
        match = _LIMIT.fullmatch(str(text))
        if not match or int(match[1]) < 1 or (match[2] is not None and int(match[2]) < 1):
            raise ValueError(f"{text!r} is not a limit like '5 per 15 minutes'")
        seconds = int(match[2] or 1) * _UNITS[match[3].lower()]
        return cls(int(match[1]), timedelta(seconds=seconds))


class Store(Protocol):
    def hits(self, key: str, since: datetime) -> list[datetime]:
        """Times of the hits on `key` after `since`, oldest first."""

    def add(self, key: str, at: datetime, expires_at: datetime) -> None: ...

    def clear(self, key: str) -> None: ...


class SqlStore:
    """Hits as rows of `throttle_hits` in the app's database session (flushed, not committed)."""

    def hits(self, key: str, since: datetime) -> list[datetime]:
        return list(db.session.scalars(
            sa.select(ThrottleHit.at).where(ThrottleHit.key == key, ThrottleHit.at > since)
            .order_by(ThrottleHit.at)))

    def add(self, key: str, at: datetime, expires_at: datetime) -> None:
        # Prune cheaply on write: a bounded batch of expired rows, skipping rows
        # another transaction is pruning (PostgreSQL; SQLite writers queue anyway).
        expired = (sa.select(ThrottleHit.id).where(ThrottleHit.expires_at <= at)
                   .limit(_PRUNE_BATCH).with_for_update(skip_locked=True))
        db.session.execute(sa.delete(ThrottleHit).where(ThrottleHit.id.in_(expired.scalar_subquery())),
                           execution_options={"synchronize_session": False})
        db.session.add(ThrottleHit(key=key, at=at, expires_at=expires_at))
        db.session.flush()

    def clear(self, key: str) -> None:
        db.session.execute(sa.delete(ThrottleHit).where(ThrottleHit.key == key),
                           execution_options={"synchronize_session": False})


class RedisStore:
    """Hits as members of one sorted set per key, scored by time; Redis expires idle keys."""

    def __init__(self, client, prefix: str = "pbj:throttle:"):
        self.client = client
        self.prefix = prefix

    def hits(self, key: str, since: datetime) -> list[datetime]:
        scores = self.client.zrangebyscore(self.prefix + key, f"({_epoch(since)}", "+inf", withscores=True)
        return [_from_epoch(score) for _member, score in scores]

    def add(self, key: str, at: datetime, expires_at: datetime) -> None:
        name = self.prefix + key
        score = _epoch(at)
        ttl = max(1, math.ceil((expires_at - at).total_seconds()))
        pipe = self.client.pipeline()
        pipe.zremrangebyscore(name, "-inf", score - ttl)
        pipe.zadd(name, {f"{score}:{os.urandom(4).hex()}": score})
        pipe.expire(name, ttl)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class FallbackStore:
    """Redis first; while Redis cannot be reached, the database (SqlStore).

    The throttle stays shut rather than open when Redis is down: counting moves to the
    database, which every app server shares, so the limits still hold across servers.
    Hits counted in Redis before the outage are not seen during it (a guesser gains at
    most one window's worth of attempts once), and the database's after it."""

    def __init__(self, primary: Store, fallback: Store, errors: tuple[type[BaseException], ...],
                 on_error=None):
        self.primary, self.fallback, self.errors = primary, fallback, errors
        self.on_error = on_error or (lambda error: None)

    def _call(self, method: str, *args):
        try:
            return getattr(self.primary, method)(*args)
        except self.errors as error:
            self.on_error(error)
            return getattr(self.fallback, method)(*args)

    def hits(self, key: str, since: datetime) -> list[datetime]:
        return self._call("hits", key, since)

    def add(self, key: str, at: datetime, expires_at: datetime) -> None:
        self._call("add", key, at, expires_at)

    def clear(self, key: str) -> None:
        self._call("clear", key)


def key(scope: str, *parts: str) -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]
    return f"{scope}:{digest}"


def wait_seconds(store: Store, key: str, limit: Limit, now: datetime) -> int:
    """Seconds until one more attempt fits under `limit`; 0 when it fits now."""
    hits = store.hits(key, now - limit.window)
    if len(hits) < limit.count:
        return 0
    # The oldest hits must age out until fewer than `count` remain.
    frees_at = hits[len(hits) - limit.count] + limit.window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def record(store: Store, key: str, limit: Limit, now: datetime) -> None:
    store.add(key, now, now + limit.window)


@dataclass(frozen=True)
class Limits:
    login_per_account_and_address: Limit
    login_per_address: Limit
    password_change_per_account: Limit
    password_reset_per_address: Limit


class Throttle:
    """The app's limits and the store that counts against them (one per app)."""

    def __init__(self, store: Store, limits: Limits):
        self.store = store
        self.limits = limits

    def _login_checks(self, email: str, address: str):
        email = email.strip().lower()[:254]
        return ((key("login-pair", email, address), self.limits.login_per_account_and_address),
                (key("login-address", address), self.limits.login_per_address))

    def login_wait(self, email: str, address: str, now: datetime) -> int:
        """Seconds this address must wait before trying this account again (0: go ahead)."""
        return max(wait_seconds(self.store, k, limit, now) for k, limit in self._login_checks(email, address))

    def login_failed(self, email: str, address: str, now: datetime) -> None:
        for k, limit in self._login_checks(email, address):
            record(self.store, k, limit, now)

    def login_succeeded(self, email: str, address: str) -> None:
        # The pair only: the address's failures on other accounts still count.
        pair, _address = self._login_checks(email, address)
        self.store.clear(pair[0])

    def password_change_wait(self, user_id: int, now: datetime) -> int:
        return wait_seconds(self.store, key("password-change", str(user_id)),
                            self.limits.password_change_per_account, now)

    def password_change_failed(self, user_id: int, now: datetime) -> None:
        record(self.store, key("password-change", str(user_id)), self.limits.password_change_per_account, now)

    def password_changed(self, user_id: int) -> None:
        self.store.clear(key("password-change", str(user_id)))

    def reset_request_wait(self, address: str, now: datetime) -> int:
        return wait_seconds(self.store, key("password-reset", address), self.limits.password_reset_per_address, now)

    def reset_requested(self, address: str, now: datetime) -> None:
        record(self.store, key("password-reset", address), self.limits.password_reset_per_address, now)


_EPOCH = datetime(1970, 1, 1)


def _epoch(value: datetime) -> float:
    return (value - _EPOCH).total_seconds()


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
