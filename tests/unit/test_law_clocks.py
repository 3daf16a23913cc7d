"""The law's clocks at their boundaries, every due date written out as a date.

CPL 105: the starting hour or day is not counted; a period whose last day is a holiday ends on the first
working day after it, except while the person is detained. The 2026 holidays and make-up working days are
those of the State Council General Office's notice on the 2026 holidays: 元旦 1-3 Jan (4 Jan worked), 春节 15-23
Feb (14 and 28 Feb worked), 清明 4-6 Apr, 劳动节 1-5 May (9 May worked), 端午 19-21 Jun, 中秋 25-27 Sep
(20 Sep worked), 国庆 1-7 Oct (10 Oct worked).
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.domain.enums import DutyPurpose, Kind, RequestState
from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.domain.model import DutyAppointment
from gateway.rules.calendar import WorkCalendar, load_calendar
from gateway.rules.deadlines import (
    DeadlinePolicy,
    add_working_days,
    compute_deadline,
    count_days,
    count_hours,
    notice_is_late,
    transfer_is_late,
)
from tests.unit.test_deadlines import CALENDAR, at, person


@pytest.mark.parametrize(
    ("applied", "received", "late"),
    [
        # LAL 39: forwarded within 24 hours; the hour of the application is not counted (CPL 105).
        ("2026-11-24T09:15:00", "2026-11-25T09:59:59", False),
        ("2026-11-24T09:15:00", "2026-11-25T10:00:00", False),  # exactly the 24th hour's end
        ("2026-11-24T09:15:00", "2026-11-25T10:00:01", True),
        ("2026-11-24T09:00:00", "2026-11-25T10:00:00", False),  # on the hour: that hour is still not counted
        ("2026-11-24T09:59:59", "2026-11-25T10:00:01", True),
        ("2026-11-24T23:30:00", "2026-11-26T00:00:00", False),  # across midnight
        ("2026-11-24T23:30:00", "2026-11-26T00:00:01", True),
    ],
)
def test_the_24_hours_of_a_forwarded_application(applied: str, received: str, late: bool) -> None:
    assert transfer_is_late(at(applied), at(received)) is late


def test_the_24_hours_are_counted_in_china_time_whatever_zone_the_times_carry() -> None:
    applied = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)  # 09:15 in China
    assert not transfer_is_late(applied, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    assert transfer_is_late(applied, datetime(2026, 11, 25, 2, 0, 1, tzinfo=UTC))


def test_the_24_hours_do_not_depend_on_the_servers_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server set to India's +05:30 must still count whole hours of China time.
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        assert count_hours(at("2026-11-24T09:15"), 24) == at("2026-11-25T10:00")
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("received", "days", "free", "detained"),
    [
        # An ordinary week: 24 Nov (Tue) + 3 = 27 Nov (Fri).
        ("2026-11-24T23:00", 3, "2026-11-27", "2026-11-27"),
        # The last day a Saturday: the free person's period moves to Monday; the detained person's does not.
        ("2026-11-25T09:00", 3, "2026-11-30", "2026-11-28"),
        # 春节: 12 Feb + 3 = 15 Feb, a holiday to 23 Feb (Mon) → 24 Feb.
        ("2026-02-12T10:00", 3, "2026-02-24", "2026-02-15"),
        # Make-up working days end a period as any working day does: Saturday 14 Feb and Saturday 28 Feb.
        ("2026-02-07T10:00", 7, "2026-02-14", "2026-02-14"),
        ("2026-02-21T10:00", 7, "2026-02-28", "2026-02-28"),
        # 劳动节: 28 Apr + 3 = 1 May, holiday to 5 May → 6 May; 9 May (Sat) was worked.
        ("2026-04-28T10:00", 3, "2026-05-06", "2026-05-01"),
        ("2026-05-06T10:00", 3, "2026-05-09", "2026-05-09"),
        # 中秋: 22 Sep + 3 = 25 Sep, holiday to 27 Sep → 28 Sep; Sunday 20 Sep was worked.
        ("2026-09-22T10:00", 3, "2026-09-28", "2026-09-25"),
        ("2026-09-17T10:00", 3, "2026-09-20", "2026-09-20"),
        # 元旦: 29 Dec 2025 + 3 = 1 Jan, then 2 and 3 Jan off, Sunday 4 Jan worked.
        ("2025-12-29T10:00", 3, "2026-01-04", "2026-01-01"),
        # 国庆 and LAL 43's 7 days: 28 Sep + 7 = 5 Oct, in the holiday to 7 Oct → 8 Oct.
        ("2026-09-28T10:00", 7, "2026-10-08", "2026-10-05"),
        # Received at midnight: that day is still not counted.
        ("2026-11-23T00:00", 3, "2026-11-26", "2026-11-26"),
    ],
)
def test_a_period_of_days_ends_on_its_last_day_or_the_first_working_day_after(
    received: str, days: int, free: str, detained: str
) -> None:
    start = at(received)
    assert count_days(start, days, detained=False, calendar=CALENDAR) == at(f"{free}T23:59:59")
    assert count_days(start, days, detained=True, calendar=CALENDAR) == at(f"{detained}T23:59:59")


def test_the_day_of_receipt_is_the_day_in_china() -> None:
    # 16:30 UTC on 24 Nov is 00:30 on 25 Nov in China: + 3 = Saturday 28 Nov.
    received = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert count_days(received, 3, detained=True, calendar=CALENDAR) == at("2026-11-28T23:59:59")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-11-27T09:00", 2, "2026-12-01"),  # Friday → Monday, Tuesday
        ("2026-02-13T09:00", 2, "2026-02-24"),  # Saturday 14 Feb worked, then 春节 to 23 Feb
        ("2026-09-30T09:00", 2, "2026-10-09"),  # 国庆 to 7 Oct, then Thursday, Friday
        ("2026-10-09T09:00", 1, "2026-10-10"),  # Saturday 10 Oct worked
    ],
)
def test_working_days(start: str, days: int, due: str) -> None:
    assert add_working_days(at(start), days, CALENDAR) == at(f"{due}T23:59:59")


def test_the_override_file_adds_rest_days_and_make_up_working_days(tmp_path: Path) -> None:
    # A later year's notice before the package knows it: Wednesday 10 March 2027 off, Saturday 13 March worked.
    overrides = tmp_path / "calendar.toml"
    overrides.write_text("rest_days = [2027-03-10]\nworking_days = [2027-03-13]\n", encoding="utf-8")
    calendar = load_calendar(overrides)

    assert count_days(at("2027-03-07T10:00"), 3, detained=False, calendar=calendar) == at("2027-03-11T23:59:59")
    assert count_days(at("2027-03-07T10:00"), 3, detained=True, calendar=calendar) == at("2027-03-10T23:59:59")
    assert count_days(at("2027-03-10T10:00"), 3, detained=False, calendar=calendar) == at("2027-03-13T23:59:59")
    assert count_days(at("2027-03-10T10:00"), 3, detained=False, calendar=CALENDAR) == at("2027-03-15T23:59:59")
    assert add_working_days(at("2027-03-09T10:00"), 2, calendar) == at("2027-03-12T23:59:59")


def test_a_day_both_in_the_rest_and_working_lists_is_worked() -> None:
    # The make-up list wins: a notice correcting an earlier one lists the day as worked.
    sunday = at("2027-03-14T00:00").date()
    calendar = WorkCalendar(extra_rest_days=frozenset({sunday}), extra_working_days=frozenset({sunday}))
    assert calendar.is_rest_day(sunday) is False
    assert WorkCalendar(extra_rest_days=frozenset({sunday})).is_rest_day(sunday) is True


def test_the_shipped_override_file_changes_nothing_the_package_knows() -> None:
    assert (CALENDAR.extra_rest_days, CALENDAR.extra_working_days) == (frozenset(), frozenset())


@pytest.mark.parametrize(
    ("kind", "detained", "due", "obligation", "basis"),
    [
        # LAL 36: 3 days to assign a lawyer to a notice and tell the agency.
        (Kind.NOTIFY_DEFENSE, True, "2026-10-01", "assign_lawyer_and_inform_agency", "LAL 36"),
        (Kind.NOTIFY_DEFENSE, False, "2026-10-08", "assign_lawyer_and_inform_agency", "LAL 36"),
        # LAL 43: 7 days to decide an application.
        (Kind.APPLICATION_TRANSFER, True, "2026-10-05", "decide_application", "LAL 43"),
        (Kind.APPLICATION_TRANSFER, False, "2026-10-08", "decide_application", "LAL 43"),
        # Duty lawyer, no time set: 2 working days by default (shared assumption T8): 29, 30 Sep.
        (Kind.DUTY_LAWYER, True, "2026-09-30", "name_duty_lawyer", "LAL 30, 37; duty-lawyer rules 2020"),
    ],
)
def test_each_kind_has_its_period_obligation_and_basis(
    kind: Kind, detained: bool, due: str, obligation: str, basis: str
) -> None:
    deadline = compute_deadline(kind, at("2026-09-28T10:00"), person(detained), None, CALENDAR, DeadlinePolicy())
    assert (deadline.due_at, deadline.obligation, deadline.basis) == (at(f"{due}T23:59:59"), obligation, basis)


def test_the_duty_lawyer_period_by_default_is_two_working_days() -> None:
    assert DeadlinePolicy().duty_lawyer_working_days == 2


@pytest.mark.parametrize(
    ("scheduled", "due"),
    [
        ("2026-11-27T14:00:00", "2026-11-27T14:00:00"),  # before the working days end: the meeting
        ("2026-12-01T23:59:59", "2026-12-01T23:59:59"),  # the same moment
        ("2026-12-02T09:00:00", "2026-12-01T23:59:59"),  # after: the working days
        ("2026-11-26T09:00:00", "2026-11-27T09:00:00"),  # already past at receipt: due at once
    ],
)
def test_a_duty_lawyer_is_due_by_the_meeting_or_the_working_days_whichever_is_first(scheduled: str, due: str) -> None:
    duty = DutyAppointment(purpose=DutyPurpose.PLEA_AGREEMENT, scheduled_at=at(scheduled))
    deadline = compute_deadline(
        Kind.DUTY_LAWYER, at("2026-11-27T09:00"), person(True), duty, CALENDAR, DeadlinePolicy()
    )
    assert deadline.due_at == at(due)
    assert deadline.due_at.utcoffset() == at(due).utcoffset()


def test_a_granted_application_stays_on_the_clock_until_a_lawyer_is_assigned() -> None:
    # LAL 43: decided within 7 days, then the lawyer assigned within 3; the clock stops only at assignment.
    assert CLOCK_RUNNING == {RequestState.RECEIVED, RequestState.QUEUED, RequestState.GRANTED}


@pytest.mark.parametrize(
    ("text", "rest", "working"),
    [
        ("working_days = [2027-03-13]\n", frozenset(), frozenset({at("2027-03-13T00:00").date()})),
        ("rest_days = [2027-03-10]\n", frozenset({at("2027-03-10T00:00").date()}), frozenset()),
        ("", frozenset(), frozenset()),
    ],
)
def test_an_override_file_may_leave_either_list_out(
    tmp_path: Path, text: str, rest: frozenset[object], working: frozenset[object]
) -> None:
    overrides = tmp_path / "calendar.toml"
    overrides.write_text(text, encoding="utf-8")
    calendar = load_calendar(overrides)
    assert (calendar.extra_rest_days, calendar.extra_working_days) == (rest, working)


@pytest.mark.parametrize(
    ("found", "received", "detained", "late"),
    [
        # LAL 36: the organ notifies within 3 days of finding the ground; the day it was found is not counted.
        ("2026-11-23T10:00", "2026-11-26T23:59:59", False, False),  # Monday: Thursday is the third day
        ("2026-11-23T10:00", "2026-11-27T00:00:00", False, True),
        ("2026-11-23T10:00", "2026-11-27T00:00:00", True, True),
        # Found on Thursday: the third day is Sunday, a rest day; CPL 105 moves it to Monday, not for a detainee.
        ("2026-11-26T15:00", "2026-11-30T12:00", False, False),
        ("2026-11-26T15:00", "2026-11-30T12:00", True, True),
        ("2026-11-26T15:00", "2026-11-29T23:59:59", True, False),
        # Found on 28 September: the third day is 1 October, 国庆 1-7 Oct, so 8 October if not detained.
        ("2026-09-28T09:00", "2026-10-08T20:00", False, False),
        ("2026-09-28T09:00", "2026-10-09T00:00:01", False, True),
        ("2026-09-28T09:00", "2026-10-02T00:00:01", True, True),
    ],
)
def test_the_three_days_to_notify_after_the_ground_is_found(
    found: str, received: str, detained: bool, late: bool
) -> None:
    assert notice_is_late(at(found), at(received), detained=detained, calendar=CALENDAR) is late
