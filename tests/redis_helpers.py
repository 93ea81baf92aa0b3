"""The test Redis database: TEST_REDIS_URL, flushed by each test that uses it."""
from __future__ import annotations

import os

import pytest
import redis

from tests.conftest import IN_CI

DEFAULT_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_URL)


def flushed_redis_or_skip(url: str | None = None) -> redis.Redis:
    """A client on an emptied test database; skip (fail in CI) when Redis is not running."""
    url = url or redis_url()
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {url} in CI")
        pytest.skip(f"no Redis at {url} (set TEST_REDIS_URL)")
    client.flushdb()
    return client
