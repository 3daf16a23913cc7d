"""The supervisors' report: what counts as assigned in time, late and withdrawn, and which day a request is."""

from datetime import UTC, date, datetime, timedelta

from gateway.service.ports import ReportRow
from gateway.service.reports import Tally, count_requests, daily_totals

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


# An application received on Friday 20 Nov: LAL 43 gives the centre 7 days to decide (to the 27th), then 3 days
# from the decision to assign a lawyer. The figures below are set by hand from those two periods.
DECIDE_BY = datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on the 27th in China


def _application(
    state: str, decided_at: datetime | None, assigned_at: datetime | None = None, **changes: object
) -> ReportRow:
    # After a grant the row's due_at is the deadline to assign: 3 days from the decision.
    due_at = decided_at + timedelta(days=3) if state != "declined" and decided_at is not None else DECIDE_BY
    values: dict[str, object] = {
        "kind": "application_transfer",
        "due_at": due_at,
        "decided_at": decided_at,
        "decision_due_at": DECIDE_BY,
    }
    values.update(changes)
    return _row(state, assigned_at, **values)


def test_an_application_decided_late_is_late_though_its_lawyer_came_within_three_days() -> None:
    now = datetime(2026, 12, 10, tzinfo=UTC)
    rows = [
        # decided on day 10, assigned on day 11: the decision deadline was missed (the gap the report had).
        _application("assigned", RECEIVED + timedelta(days=10), RECEIVED + timedelta(days=11)),
        # decided on day 5, assigned on day 6: in time at both deadlines.
        _application("informed", RECEIVED + timedelta(days=5), RECEIVED + timedelta(days=6)),
        # decided on day 5, assigned on day 9: the 3 days after the grant were missed, the decision was not.
        _application("assigned", RECEIVED + timedelta(days=5), RECEIVED + timedelta(days=9)),
        # refused on day 9: late at the decision.
        _application("declined", RECEIVED + timedelta(days=9), closed_at=RECEIVED + timedelta(days=9)),
        # never decided, and the 7 days are past.
        _application("queued", None),
        # withdrawn on day 2, before any decision: not late.
        _application("withdrawn", None, closed_at=RECEIVED + timedelta(days=2)),
    ]

    [line] = count_requests(rows, now)

    assert line.tally == Tally(received=6, assigned_in_time=1, late=4, withdrawn=1, decision_late=3)


def test_a_grant_recorded_before_grants_kept_their_deadline_is_judged_by_the_assignment_alone() -> None:
    unknown = _application(
        "assigned", RECEIVED + timedelta(days=10), RECEIVED + timedelta(days=11), decision_due_at=None
    )

    [line] = count_requests([unknown], datetime(2026, 12, 10, tzinfo=UTC))

    assert line.tally == Tally(received=1, assigned_in_time=1)


def test_aid_terminated_before_a_lawyer_counts_as_terminated_and_after_one_by_the_assignment() -> None:
    rows = [
        _row("terminated", closed_at=DUE - timedelta(hours=5)),  # LAL 48, before a lawyer was assigned
        _row("terminated", DUE - timedelta(days=1), closed_at=DUE + timedelta(days=2)),  # after a lawyer was
    ]

    [line] = count_requests(rows, NOW)

    assert line.tally == Tally(received=2, assigned_in_time=1, terminated=1)


def test_an_application_left_without_its_materials_is_withdrawn_not_late() -> None:
    # LAL 43 ¶2: while the applicant gathers materials the deadline is the applicant's date; not met, the
    # application is deemed withdrawn: no deadline of the centre's was missed.
    supply_by = RECEIVED + timedelta(days=6)
    rows = [
        _row(
            "withdrawn",
            kind="application_transfer",
            due_at=supply_by,
            obligation="supply_materials",
            closed_at=supply_by + timedelta(minutes=1),
        ),
        _row("awaiting_materials", kind="application_transfer", due_at=supply_by, obligation="supply_materials"),
    ]

    [line] = count_requests(rows, supply_by + timedelta(seconds=30))

    assert line.tally == Tally(received=2, withdrawn=1, pending=1)
