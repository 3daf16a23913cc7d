"""Several deadline watchers on one store: one holds the lease and makes the passes, another takes over when
it stops; the warnings still go out once."""

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.service.deadlines import DeadlineWatcher
from gateway.store.tables import outbox
from tests.integration.test_deadlines import MovableClock
from tests.support.store import database_url as make_database_url
from tests.support.store import store_with_notices

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with make_database_url(request.param, tmp_path) as url:
        yield url


def _watcher(url: str, clock: MovableClock) -> DeadlineWatcher:
    return build_services(Settings(database_url=url), clock).deadlines


def test_the_lease_stays_with_its_holder_and_passes_on_when_it_lapses_or_is_released(database_url: str) -> None:
    clock = MovableClock(datetime(2026, 11, 30, 9, 0, tzinfo=CHINA))
    first, second = _watcher(database_url, clock), _watcher(database_url, clock)

    taken = [first.holds_lease(60), second.holds_lease(60), first.holds_lease(60)]
    clock.at += timedelta(seconds=129)
    before_it_lapses = second.holds_lease(60)
    clock.at += timedelta(seconds=2)
    after_it_lapsed = [second.holds_lease(60), first.holds_lease(60)]

    assert taken == [True, False, True]
    assert before_it_lapses is False
    assert after_it_lapsed == [True, False]


def test_two_running_watchers_make_one_set_of_warnings_and_a_stopped_one_hands_over(tmp_path: Path) -> None:
    # The court's notice of 25 November was due on the 28th: missed by 30 November.
    clock = MovableClock(datetime(2026, 11, 25, 9, 0, tzinfo=CHINA))
    with store_with_notices("postgresql", tmp_path, clock) as store:
        store.post_court_notice(1)
        clock.at = datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)
        url = store.services.engine.url.render_as_string(hide_password=False)
        watchers = [_watcher(url, clock), _watcher(url, clock)]
        stops = [threading.Event(), threading.Event()]
        threads = [
            threading.Thread(target=watcher.run, args=(stop, 0.05), daemon=True)
            for watcher, stop in zip(watchers, stops, strict=True)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        holder = _holder(store.services.engine)
        first = next(n for n, watcher in enumerate(watchers) if watcher.holder == holder)
        stops[first].set()  # the holder stops cleanly and releases the lease
        threads[first].join(timeout=10)
        time.sleep(0.5)  # a few passes of the other
        successor = _holder(store.services.engine)
        for stop in stops:
            stop.set()
        for thread in threads:
            thread.join(timeout=10)
        missed = _events(store.services.engine, "deadline.missed")

    assert successor == watchers[1 - first].holder
    assert missed == 1


def _holder(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT holder FROM leases WHERE name = 'deadlines'"))


def _events(engine: sa.Engine, routing_key: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).where(outbox.c.routing_key == routing_key)) or 0)
