"""Rate limits (the `limits` library, Flask-Limiter's engine): per authenticated agency on REST and SOAP,
per address at the console's sign-in.

An agency is counted only once its credentials are checked, by its code, never by address: one agency's
broken client uses up its own allowance and no other agency's, and nobody can spend an agency's allowance
by sending its name without its key. Every call authenticated as an agency counts, accepted or refused.

Each limit is hit explicitly with its own key, so two limits checked at once in two threads never mix.
"""

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gateway.config import ConfigError, Settings
from gateway.errors import RateLimited

EXTENSION = "lagw.rate_limits"


@dataclass(frozen=True)
class RateLimits:
    """The app's counter and its two limits, made once; empty where a limit is turned off."""

    limiter: MovingWindowRateLimiter  # no double burst across a window's edge
    agency: tuple[RateLimitItem, ...]
    sign_in: tuple[RateLimitItem, ...]


class InProcessStorage(MemoryStorage):
    """The library's memory storage, expiring old entries inline at most once a second.

    The library's own starts a timer thread whenever its last one has finished: under load, a thread for
    nearly every hit. Entries past their window are ignored by the counts either way; the expiry only frees
    memory.
    """

    EXPIRY_INTERVAL = 1.0

    def __init__(self, uri: str | None = None, **options: Any) -> None:
        super().__init__(uri, **options)
        self._expiry_lock = threading.Lock()
        self._expired_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private hook, by its mangled name
        now = time.monotonic()
        if now - self._expired_at < self.EXPIRY_INTERVAL or not self._expiry_lock.acquire(blocking=False):
            return
        try:
            self._expired_at = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._expiry_lock.release()


def init_rate_limits(app: Flask, settings: Settings) -> None:
    """Give the app its limits; a malformed limit or storage address stops the start."""
    uri = settings.rate_limit_storage
    try:
        storage = InProcessStorage(uri) if uri.startswith("memory://") else storage_from_string(uri)
    except ConfigurationError as exc:
        raise ConfigError(f"LAGW_RATE_LIMIT_STORAGE: {exc}") from exc
    app.extensions[EXTENSION] = RateLimits(
        MovingWindowRateLimiter(storage),
        _parsed("LAGW_RATE_LIMIT", settings.rate_limit),
        _parsed("LAGW_SIGN_IN_RATE_LIMIT", settings.sign_in_rate_limit),
    )


def _parsed(setting: str, limit: str) -> tuple[RateLimitItem, ...]:
    """The limits a setting names (empty turns them off), or ConfigError naming the setting."""
    try:
        return tuple(parse_many(limit)) if limit else ()
    except ValueError as exc:
        raise ConfigError(f"{setting}: {exc}") from exc


def count_agency_call(agency_code: str) -> None:
    """Count one call against the agency's limit; RateLimited when it is over."""
    limits = _limits()
    _hit(limits, limits.agency, ("agency", agency_code), f"agency {agency_code} is over its limit")


def count_sign_in() -> None:
    """Count one sign-in attempt against the caller's address; RateLimited when it is over."""
    limits = _limits()
    address = request.remote_addr or "unknown"
    _hit(limits, limits.sign_in, ("sign-in", address), "too many sign-in attempts from this address")


def _hit(limits: RateLimits, items: tuple[RateLimitItem, ...], key: tuple[str, str], detail: str) -> None:
    for item in items:
        if not limits.limiter.hit(item, "lagw", *key):
            reset_at, _ = limits.limiter.get_window_stats(item, "lagw", *key)
            seconds = max(1, math.ceil(reset_at - time.time()))
            raise RateLimited(f"{detail} ({item}); retry after {seconds} s", seconds)


def _limits() -> RateLimits:
    found: RateLimits = current_app.extensions[EXTENSION]
    return found
