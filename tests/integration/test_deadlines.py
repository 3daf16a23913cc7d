"""The legal clocks under a controlled clock: at-risk and missed warnings, once each."""

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gateway.cli.main import main as cli
from gateway.service.messages import event_message
from gateway.service.ports import Callback
from gateway.store.tables import outbox
from tests.support.gateway import LiveGateway, example, running_gateway

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

CHINA = ZoneInfo("Asia/Shanghai")
COURT = "court-370202"


class MovableClock:
    """A clock the test sets."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> MovableClock:
    # Monday 28 September 2026, three days before the National Day holiday (1–7 October).
    return MovableClock(datetime(2026, 9, 28, 10, 0, tzinfo=CHINA))


@pytest.fixture
def timed_gateway(tmp_path: Path, amqp_url: str, clock: MovableClock) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url, clock=clock) as running:
        yield running


def _notice(gateway: LiveGateway, number: str, detained: bool) -> str:
    notice = example("court", "defense-notices.json")
    notice["notice_number"] = number
    if not detained:
        notice["defendant"]["custody"] = {"status": "not_detained"}
    response = gateway.post("/api/v1/court/defense-notices", COURT, notice)
    assert response.status_code == 202, response.text
    request_id: str = response.json()["id"]
    return request_id


def _warnings(gateway: LiveGateway) -> Counter[tuple[str, str]]:
    with gateway.services.engine.connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.request_id, outbox.c.routing_key).where(outbox.c.routing_key.like("deadline.%"))
        ).all()
    return Counter((row.request_id, row.routing_key) for row in rows)


def _at(clock: MovableClock, gateway: LiveGateway, when: datetime) -> tuple[int, int]:
    clock.at = when
    result = gateway.services.deadlines.run_once()
    return result.at_risk, result.missed


def test_warnings_come_once_each_and_a_detained_persons_deadline_ignores_the_holiday(
    timed_gateway: LiveGateway, clock: MovableClock
) -> None:
    gateway = timed_gateway
    held = _notice(gateway, "held", detained=True)  # CPL 105: not extended → due 1 October
    free = _notice(gateway, "free", detained=False)  # extended past the holiday → due 8 October
    day = lambda d, h=0, m=0: datetime(2026, 10, d, h, m, tzinfo=CHINA)  # noqa: E731

    assert _at(clock, gateway, datetime(2026, 9, 30, 23, 0, tzinfo=CHINA)) == (0, 0)
    assert _at(clock, gateway, day(1, 0, 1)) == (1, 0)  # 24 h before the end of 1 October
    assert _at(clock, gateway, day(1, 12)) == (0, 0)  # not again
    assert _at(clock, gateway, day(2, 0, 1)) == (0, 1)  # the detained person's deadline has passed
    assert _at(clock, gateway, day(7, 12)) == (0, 0)
    assert _at(clock, gateway, day(8, 0, 1)) == (1, 0)
    assert _at(clock, gateway, day(9, 0, 1)) == (0, 1)
    assert _at(clock, gateway, day(20)) == (0, 0)

    assert _warnings(gateway) == Counter(
        {
            (held, "deadline.at_risk"): 1,
            (held, "deadline.missed"): 1,
            (free, "deadline.at_risk"): 1,
            (free, "deadline.missed"): 1,
        }
    )
    history = gateway.get(f"/api/v1/requests/{held}", COURT).json()["history"]
    assert [entry["event"] for entry in history] == ["received", "deadline_at_risk", "deadline_missed"]


def test_a_request_answered_in_time_gets_no_warning(timed_gateway: LiveGateway, clock: MovableClock) -> None:
    gateway = timed_gateway
    request_id = _notice(gateway, "answered", detained=True)
    lawyer = {
        "name": "周律师",
        "law_firm": "山东青法律师事务所",
        "licence_number": "13702201510234567",
        "phone": "13800000000",
    }
    answered = gateway.post(
        f"/api/v1/requests/{request_id}/appointment",
        "lac370202",
        {"lawyer": lawyer, "appointed_at": "2026-09-29T10:00:00+08:00"},
    )

    assert answered.status_code == 200, answered.text
    assert _at(clock, gateway, datetime(2026, 10, 5, tzinfo=CHINA)) == (0, 0)


def test_two_watchers_that_both_see_a_late_request_publish_one_warning(
    timed_gateway: LiveGateway, clock: MovableClock
) -> None:
    from gateway.service.ports import MISSED, DeadlineWarned, StateMoved
    from gateway.store.deadlines import SqlDeadlines

    gateway = timed_gateway
    request_id = _notice(gateway, "twice", detained=True)
    clock.at = datetime(2026, 10, 3, tzinfo=CHINA)
    deadlines = SqlDeadlines(gateway.services.engine)
    [seen_by_first] = deadlines.unwarned(MISSED, clock.at)
    [seen_by_second] = deadlines.unwarned(MISSED, clock.at)  # both saw it before either warned
    message = event_message(f"{request_id}.m", "deadline.missed", seen_by_first, clock.at)

    published = []
    for seen in (seen_by_first, seen_by_second):
        with gateway.services.requests.unit() as uow:
            uow.record(DeadlineWarned(seen, MISSED, clock.at, message))
            try:
                uow.commit()
            except StateMoved:
                published.append(False)
            else:
                published.append(True)

    assert published == [True, False]
    assert _warnings(gateway) == Counter({(request_id, "deadline.missed"): 1})


def test_an_assigned_notice_whose_court_is_not_yet_told_is_still_on_the_clock(
    timed_gateway: LiveGateway, clock: MovableClock
) -> None:
    gateway = timed_gateway
    gateway.services.agencies.set_callback(COURT, Callback(kind="webhook", url="http://127.0.0.1:9/", secret="s"))
    request_id = _notice(gateway, "untold", detained=True)
    lawyer = {
        "name": "周律师",
        "law_firm": "山东青法律师事务所",
        "licence_number": "13702201510234567",
        "phone": "13800000000",
    }
    gateway.post(
        f"/api/v1/requests/{request_id}/appointment",
        "lac370202",
        {"lawyer": lawyer, "appointed_at": "2026-09-29T10:00:00+08:00"},
    )

    # LAL 36: assign *and inform* — the court has not heard back, so the deadline is missed.
    assert _at(clock, gateway, datetime(2026, 10, 5, tzinfo=CHINA)) == (0, 1)


def test_the_report_lists_open_requests_by_time_left(timed_gateway: LiveGateway, clock: MovableClock) -> None:
    gateway = timed_gateway
    later = _notice(gateway, "later", detained=False)
    sooner = _notice(gateway, "sooner", detained=True)
    settings = gateway.services.settings

    report = CliRunner().invoke(cli, ["deadlines", "report"], env={"LAGW_DATABASE_URL": settings.database_url})

    lines = report.output.strip().splitlines()
    assert report.exit_code == 0, report.output
    assert [line.split("\t")[6] for line in lines] == [sooner, later]
