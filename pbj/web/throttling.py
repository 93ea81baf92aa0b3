"""The app's throttle (SQL or Redis store, chosen at start) and its 429 answer."""
from __future__ import annotations

import math
from datetime import timedelta

from flask import Flask, current_app, request

from pbj.clock import utcnow
from pbj.messages import lazy_gettext as _l
from pbj.messages import ngettext
from pbj.services.errors import TooOften
from pbj.services.throttle import FallbackStore, Limit, Limits, RedisStore, SqlStore, Throttle
from pbj.web.errors import error_response
from pbj.web.i18n import local_datetime

LIMIT_KEYS = {
    "login_per_account_and_address": "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS",
    "login_per_address": "LOGIN_LIMIT_PER_ADDRESS",
    # Config key names, not secrets (bandit reads "PASSWORD" as one).
    "password_change_per_account": "PASSWORD_CHANGE_LIMIT_PER_ACCOUNT",  # nosec B105
    "password_reset_per_address": "PASSWORD_RESET_LIMIT_PER_ADDRESS",  # nosec B105
}


def init_app(app: Flask) -> None:
    from pbj import ConfigurationError

    if "LOGIN_LIMIT_PER_ACCOUNT" in app.config:
        raise ConfigurationError("LOGIN_LIMIT_PER_ACCOUNT is now LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS "
                                 "(failed logins per account from one client address); rename it.")
    limits = {}
    for field, name in LIMIT_KEYS.items():
        try:
            limits[field] = Limit.parse(app.config[name])
        except ValueError as e:
            raise ConfigurationError(f"{name}: {e}.") from None
    if app.config.get("REDIS_URL"):
        import redis

        # Short timeouts: a Redis that does not answer costs a login half a second, not a worker.
        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=0.5)
        store = FallbackStore(RedisStore(client), SqlStore(),
                              (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError),
                              on_error=_redis_down)
    else:
        store = SqlStore()
    app.extensions["pbj.throttle"] = Throttle(store, Limits(**limits))


def _redis_down(error: Exception) -> None:
    current_app.logger.warning("Redis unreachable (%s): throttle counted in the database", error)


def redis_status() -> str:
    """"ok", "unreachable", or "not used" (no REDIS_URL), for /healthz."""
    store = current().store
    if not isinstance(store, FallbackStore):
        return "not used"
    try:
        store.primary.client.ping()
    except store.errors:
        return "unreachable"
    return "ok"


def current() -> Throttle:
    return current_app.extensions["pbj.throttle"]


def client_address() -> str:
    # The proxy's X-Forwarded-For is already applied by ProxyFix (PROXY_COUNT).
    return request.remote_addr or ""


def refuse_while_waiting(wait_seconds: int) -> None:
    """Raise TooOften with the wait, which `submit_form` answers with `too_many_attempts`."""
    if wait_seconds:
        raise TooOften(_l("You tried too often in a short time. Wait a few minutes, then try again."),
                       retry_after=wait_seconds)


def too_many_attempts(wait_seconds: int):
    """The 429 page in the layout, saying when to try again, with Retry-After."""
    minutes = max(1, math.ceil(wait_seconds / 60))
    at = local_datetime(utcnow() + timedelta(seconds=wait_seconds), "HH.mm")
    detail = ngettext("Try again after %(time)s (in about %(num)d minute).",
                      "Try again after %(time)s (in about %(num)d minutes).", minutes, time=at)
    response, status = error_response(429, detail)
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = str(wait_seconds)
    return response
