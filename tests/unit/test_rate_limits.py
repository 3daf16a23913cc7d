"""Rate-limit settings, and the per-address limit on the console's sign-in, through Flask's test client."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from gateway.app import create_app
from gateway.bootstrap import build_services
from gateway.cli.serve import unshared_limits_note
from gateway.config import DEFAULT_RATE_LIMIT, ConfigError, Settings
from gateway.domain.staff import Role
from gateway.web.rate_limits import InProcessStorage
from tests.support.console import PASSWORD, ConsoleUser, add_staff


def test_limits_and_storage_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LAGW_RATE_LIMIT": "100/minute",
            "LAGW_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379/3",
            "LAGW_SIGN_IN_RATE_LIMIT": "5/minute",
        }
    )
    assert (settings.rate_limit, settings.rate_limit_storage, settings.sign_in_rate_limit) == (
        "100/minute",
        "redis://127.0.0.1:6379/3",
        "5/minute",
    )
    defaults = Settings.from_env({})
    assert (defaults.rate_limit, defaults.rate_limit_storage) == (DEFAULT_RATE_LIMIT, "memory://")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rate_limit": "600 a minute"}, "LAGW_RATE_LIMIT: couldn't parse rate limit string '600 a minute'"),
        (
            {"sign_in_rate_limit": "ten/minute"},
            "LAGW_SIGN_IN_RATE_LIMIT: couldn't parse rate limit string 'ten/minute'",
        ),
        ({"rate_limit_storage": "nosuch://x"}, "LAGW_RATE_LIMIT_STORAGE: unknown storage scheme : nosuch://x"),
    ],
    ids=["agency limit", "sign-in limit", "storage"],
)
def test_a_malformed_limit_or_storage_stops_the_start_naming_the_setting(
    tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3", **changes)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    assert str(refused.value) == message


@pytest.fixture
def console_app(tmp_path: Path) -> Iterator[Flask]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3", sign_in_rate_limit="3/minute")
    services = build_services(settings)
    add_staff(services, "clerk", Role.SUPERVISOR)
    yield create_app(services=services)
    services.engine.dispose()


def _user(app: Flask, address: str) -> ConsoleUser:
    user = ConsoleUser(app)
    user.client.environ_base["REMOTE_ADDR"] = address
    return user


def test_sign_in_attempts_are_limited_per_address(console_app: Flask) -> None:
    sprayer = _user(console_app, "203.0.113.7")
    refused = [sprayer.sign_in(name, "wrong password 1").status_code for name in ("clerk", "wang", "li")]
    over = sprayer.sign_in("clerk", PASSWORD)  # even the right password: counted before the check

    assert refused == [401, 401, 401]
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert "秒后再试" in over.get_data(as_text=True)
    assert sprayer.get("/console/").status_code == 302  # no session was opened


def test_another_address_still_signs_in_while_one_is_limited(console_app: Flask) -> None:
    sprayer = _user(console_app, "203.0.113.7")
    for _ in range(4):
        sprayer.sign_in("clerk", "wrong password 1")

    colleague = _user(console_app, "198.51.100.20")
    signed_in = colleague.sign_in("clerk", PASSWORD)

    assert signed_in.status_code == 302
    assert colleague.get("/console/").status_code == 200


def test_reading_the_sign_in_page_is_not_counted(console_app: Flask) -> None:
    user = _user(console_app, "203.0.113.9")
    for _ in range(10):
        assert user.client.get("/console/login").status_code == 200
    assert user.sign_in("clerk", PASSWORD).status_code == 302


def test_serving_with_several_workers_and_memory_counts_says_so() -> None:
    note = unshared_limits_note(Settings(), workers=4)
    assert note is not None and "4 × LAGW_RATE_LIMIT" in note
    assert unshared_limits_note(Settings(), workers=1) is None
    assert unshared_limits_note(Settings(rate_limit_storage="redis://127.0.0.1:6379"), workers=4) is None


def test_counting_in_process_starts_no_thread_per_hit_and_still_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[threading.Thread] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (started.append(self), real_start(self))[1])
    storage = InProcessStorage("memory://")
    limiter = MovingWindowRateLimiter(storage)
    item = parse("50/minute")
    before = len(started)

    allowed = [limiter.hit(item, "lagw", "agency", "court-1") for _ in range(60)]
    for _ in range(20):
        time.sleep(0.015)  # the library's own storage starts a new timer once its 10 ms one has finished
        limiter.hit(item, "lagw", "agency", "court-2")

    assert allowed == [True] * 50 + [False] * 10
    assert len(started) == before
