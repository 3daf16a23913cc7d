"""Rate limits (the `limits` library, Flask-Limiter's engine): per authenticated agency on REST and SOAP,
per address at the console's sign-in.

An agency is counted only once its credentials are checked, by its code, never by address: one agency's
broken client uses up its own allowance and no other agency's, and nobody can spend an agency's allowance
by sending its name without its key. Every call authenticated as an agency counts, accepted or refused.

Each limit is hit explicitly with its own key, so two limits checked at once in two threads never mix.
"""

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gateway.config import Settings
from gateway.errors import RateLimited

EXTENSION = "lagw.rate_limits"


@dataclass(frozen=True)
class RateLimits:
    """The app's counter and its two limits, made once; empty where a limit is turned off."""

    limiter: MovingWindowRateLimiter  # no double burst across a window's edge
    agency: tuple[RateLimitItem, ...]
    sign_in: tuple[RateLimitItem, ...]


def init_rate_limits(app: Flask, settings: Settings) -> None:
    """Give the app its limits; a malformed limit or storage address stops the start."""
    storage = storage_from_string(settings.rate_limit_storage)
    app.extensions[EXTENSION] = RateLimits(
        MovingWindowRateLimiter(storage),
        tuple(parse_many(settings.rate_limit)) if settings.rate_limit else (),
        tuple(parse_many(settings.sign_in_rate_limit)) if settings.sign_in_rate_limit else (),
    )


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
