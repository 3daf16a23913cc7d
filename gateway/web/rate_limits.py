"""Rate limits (Flask-Limiter): per authenticated agency on REST and SOAP, per address at the console's sign-in.

An agency is counted only once its credentials are checked, by its code, never by address: one agency's
broken client uses up its own allowance and no other agency's, and nobody can spend an agency's allowance
by sending its name without its key. Every call authenticated as an agency counts, accepted or refused.
"""

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_limiter import Limiter, RateLimitExceeded, RouteLimit
from flask_limiter.util import get_remote_address
from limits import parse_many

from gateway.config import Settings
from gateway.errors import RateLimited

EXTENSION = "lagw.rate_limits"


@dataclass(frozen=True)
class RateLimits:
    """The app's limiter and its two limits, made once; None where a limit is turned off."""

    limiter: Limiter
    agency: RouteLimit | None  # Flask-Limiter's shared limits, entered as context managers
    sign_in: RouteLimit | None


def init_rate_limits(app: Flask, settings: Settings) -> None:
    """Give the app its limiter; a malformed limit stops the start (Flask-Limiter alone would skip it)."""
    for spec in (settings.rate_limit, settings.sign_in_rate_limit):
        if spec:
            parse_many(spec)
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.rate_limit_storage,
        strategy="moving-window",  # no double burst across a window's edge
        key_prefix="lagw",
    )
    agency = (
        limiter.shared_limit(settings.rate_limit, scope="agency", key_func=_agency_code)
        if settings.rate_limit
        else None
    )
    sign_in = (
        limiter.shared_limit(settings.sign_in_rate_limit, scope="sign-in") if settings.sign_in_rate_limit else None
    )
    app.extensions[EXTENSION] = RateLimits(limiter, agency, sign_in)


def count_agency_call(agency_code: str) -> None:
    """Count one call against the agency's limit; RateLimited when it is over."""
    g.rate_limited_agency = agency_code
    _enter(_limits().agency, f"agency {agency_code} is over its limit")


def count_sign_in() -> None:
    """Count one sign-in attempt against the caller's address; RateLimited when it is over."""
    _enter(_limits().sign_in, "too many sign-in attempts from this address")


def _enter(limit: RouteLimit | None, detail: str) -> None:
    if limit is None:
        return
    try:
        with limit:
            pass
    except RateLimitExceeded as exc:
        seconds = _retry_after()
        raise RateLimited(f"{detail} ({exc.description}); retry after {seconds} s", seconds) from exc


def _retry_after() -> int:
    """Whole seconds until the breached limit lets a call through again (at least 1)."""
    current = _limits().limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil(current.window[0] - time.time()))


def _agency_code() -> str:
    code: str = g.rate_limited_agency
    return code


def _limits() -> RateLimits:
    found: RateLimits = current_app.extensions[EXTENSION]
    return found
