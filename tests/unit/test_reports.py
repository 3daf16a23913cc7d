"""The supervisors' report: what counts as assigned in time, late and withdrawn, and which day a request is."""

from datetime import UTC, date, datetime, timedelta

from gateway.reports import Tally, count_requests, daily_totals
from gateway.store.console import ReportRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
DUE = RECEIVED + timedelta(days=3)


def _row(state: str, assigned_at: datetime | None = None, **changes: object) -> ReportRow:
    values: dict[str, object] = {
        "agency_code": "court-370202",
        "kind": "notify_defense",
        "state": state,
        "received_at": RECEIVED,
        "due_at": DUE,
        "assigned_at": assigned_at,
    }
    values.update(changes)
    return ReportRow(**values)  # type: ignore[arg-type]


def test_assigned_by_the_deadline_is_in_time_after_it_or_never_is_late() -> None:
    rows = [
        _row("informed", DUE - timedelta(hours=1)),
        _row("assigned", DUE),
        _row("informed", DUE + timedelta(minutes=1)),
        _row("queued"),  # past its deadline without a lawyer
        _row("queued", due_at=NOW + timedelta(hours=1)),  # still has time: neither
        _row("withdrawn", closed_at=DUE - timedelta(days=1)),
        _row("declined", closed_at=DUE - timedelta(days=1)),
    ]

    [line] = count_requests(rows, NOW)

    assert line.tally == Tally(received=7, assigned_in_time=2, late=2, withdrawn=1, declined=1, pending=1)


def test_each_request_counts_once_by_what_happened_by_its_deadline() -> None:
    rows = [
        _row("withdrawn", DUE - timedelta(hours=2), closed_at=DUE + timedelta(days=1)),  # assigned, then withdrawn
        _row("withdrawn", closed_at=DUE + timedelta(hours=1)),  # the deadline passed with no lawyer first
        _row("declined", closed_at=DUE + timedelta(hours=1)),  # refused after its 7 days
    ]

    [line] = count_requests(rows, NOW)

    assert line.tally == Tally(received=3, assigned_in_time=1, late=2)
    total = line.tally
    assert total.received == total.assigned_in_time + total.late + total.withdrawn + total.declined + total.pending


def test_a_request_counts_on_the_day_it_was_received_in_china() -> None:
    late_evening_utc = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # 01:00 on the 21st in China
    rows = [_row("queued", received_at=late_evening_utc), _row("queued", kind="duty_lawyer"), _row("queued")]

    lines = count_requests(rows, RECEIVED)

    assert [(line.day, line.kind, line.tally.received) for line in lines] == [
        (date(2026, 11, 20), "duty_lawyer", 1),
        (date(2026, 11, 20), "notify_defense", 1),
        (date(2026, 11, 21), "notify_defense", 1),
    ]
    assert [(day, tally.received) for day, tally in daily_totals(lines)] == [
        (date(2026, 11, 20), 2),
        (date(2026, 11, 21), 1),
    ]
