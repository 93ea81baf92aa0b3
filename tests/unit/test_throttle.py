"""The throttle's counting, on both stores: SQL (SQLite or PostgreSQL) and Redis.

Times are passed in, never read from the clock, so windows are tested exactly.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from pbj import ConfigurationError
from pbj.extensions import db
from pbj.models.throttle import ThrottleHit
from pbj.services import throttle
from pbj.services.throttle import FallbackStore, Limit, Limits, RedisStore, SqlStore, Throttle
from tests.redis_helpers import flushed_redis_or_skip, redis_url

T0 = datetime(2026, 11, 30, 8, 0, 0)
FIVE_PER_15 = Limit(5, timedelta(minutes=15))


@pytest.fixture(params=["sql", "redis"])
def store(request, app):
    if request.param == "sql":
        yield SqlStore()
        db.session.rollback()
    else:
        client = flushed_redis_or_skip()
        yield RedisStore(client)
        client.flushdb()


def fail(store, key, limit, at, times=1):
    for _ in range(times):
        throttle.record(store, key, limit, at)


@pytest.mark.parametrize("text, count, seconds", [
    ("5 per 15 minutes", 5, 900), ("30 per 15 minutes", 30, 900), ("1 per minute", 1, 60),
    ("20 per hour", 20, 3600), ("3 per 2 days", 3, 172800), ("10 PER 1 Second", 10, 1),
])
def test_limits_read_like_flask_limiter(text, count, seconds):
    assert Limit.parse(text) == Limit(count, timedelta(seconds=seconds))


@pytest.mark.parametrize("text", ["", "5", "five per minute", "0 per minute", "5 per 0 minutes",
                                  "5 per fortnight", "5/15m", "-1 per hour"])
def test_unreadable_limits_are_refused(text):
    with pytest.raises(ValueError):
        Limit.parse(text)


def test_attempts_below_the_limit_need_no_wait(store):
    fail(store, "k", FIVE_PER_15, T0, times=4)
    assert throttle.wait_seconds(store, "k", FIVE_PER_15, T0) == 0


def test_the_limit_reached_waits_until_the_oldest_attempt_ages_out(store):
    fail(store, "k", FIVE_PER_15, T0)
    fail(store, "k", FIVE_PER_15, T0 + timedelta(minutes=5), times=4)
    now = T0 + timedelta(minutes=6)
    assert throttle.wait_seconds(store, "k", FIVE_PER_15, now) == 9 * 60
    # Rolling: once the first attempt is 15 minutes old one more fits, not five.
    later = T0 + timedelta(minutes=15, seconds=1)
    assert throttle.wait_seconds(store, "k", FIVE_PER_15, later) == 0
    fail(store, "k", FIVE_PER_15, later)
    assert throttle.wait_seconds(store, "k", FIVE_PER_15, later) == 5 * 60 - 1  # at 08.20


def test_keys_are_counted_apart_and_cleared_alone(store):
    fail(store, "a", FIVE_PER_15, T0, times=5)
    fail(store, "b", FIVE_PER_15, T0, times=5)
    store.clear("a")
    assert throttle.wait_seconds(store, "a", FIVE_PER_15, T0) == 0
    assert throttle.wait_seconds(store, "b", FIVE_PER_15, T0) > 0


def test_sql_store_prunes_expired_rows_on_write(app):
    store = SqlStore()
    fail(store, "old", FIVE_PER_15, T0, times=3)
    fail(store, "new", FIVE_PER_15, T0 + timedelta(minutes=20))
    keys = db.session.scalars(sa.select(ThrottleHit.key)).all()
    assert keys == ["new"]
    db.session.rollback()


def test_redis_store_keys_expire_with_their_window(app):
    client = flushed_redis_or_skip()
    store = RedisStore(client)
    fail(store, "k", FIVE_PER_15, T0)
    fail(store, "k", FIVE_PER_15, T0 + timedelta(minutes=16))
    assert client.zcard("pbj:throttle:k") == 1  # the first aged out on the second write
    assert 0 < client.ttl("pbj:throttle:k") <= 900
    client.flushdb()


def test_keys_hold_no_e_mail_or_client_address():
    key = throttle.key("login-pair", "pemilik@contoh.go.id", "203.0.113.9")
    assert key.startswith("login-pair:")
    assert "pemilik" not in key and "203.0.113" not in key
    assert len(key) <= 100


def test_login_failures_of_one_address_do_not_slow_another(store):
    rules = Throttle(store, Limits(Limit(3, timedelta(minutes=15)), Limit(10, timedelta(minutes=15)),
                                   FIVE_PER_15, FIVE_PER_15))
    for _ in range(3):
        rules.login_failed("Pemilik@Contoh.go.id ", "198.51.100.1", T0)
    assert rules.login_wait("pemilik@contoh.go.id", "198.51.100.1", T0) > 0  # e-mail normalised
    assert rules.login_wait("pemilik@contoh.go.id", "203.0.113.9", T0) == 0


def test_a_successful_login_clears_its_pair_only(store):
    rules = Throttle(store, Limits(Limit(3, timedelta(minutes=15)), Limit(6, timedelta(minutes=15)),
                                   FIVE_PER_15, FIVE_PER_15))
    here = "198.51.100.1"
    for _ in range(2):
        rules.login_failed("a@contoh.go.id", here, T0)
    rules.login_failed("b@contoh.go.id", here, T0)
    rules.login_succeeded("a@contoh.go.id", here)
    for _ in range(2):
        rules.login_failed("a@contoh.go.id", here, T0)
    assert rules.login_wait("a@contoh.go.id", here, T0) == 0  # 2 of 3 since the success, not 4
    # The address keeps every failure: the sixth blocks it for any account.
    rules.login_failed("c@contoh.go.id", here, T0)
    assert rules.login_wait("d@contoh.go.id", here, T0) > 0


def test_renamed_limit_key_is_refused_with_its_new_name(make_app):
    with pytest.raises(ConfigurationError, match="LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"):
        make_app(LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes")


def test_unreadable_limit_setting_stops_the_start(make_app):
    with pytest.raises(ConfigurationError, match="LOGIN_LIMIT_PER_ADDRESS"):
        make_app(LOGIN_LIMIT_PER_ADDRESS="banyak")


def test_store_follows_redis_url(make_app):
    assert isinstance(make_app().extensions["pbj.throttle"].store, SqlStore)
    app = make_app(REDIS_URL=redis_url())  # connects lazily: no Redis needed here
    store = app.extensions["pbj.throttle"].store
    assert isinstance(store, FallbackStore)
    assert isinstance(store.primary, RedisStore) and isinstance(store.fallback, SqlStore)
