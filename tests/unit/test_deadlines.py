"""Deadlines counted as CPL 105 requires, with the holiday table as data."""

from datetime import date, datetime

import pytest

from gateway.domain.enums import DutyPurpose, IdType, Kind
from gateway.domain.model import Custody, DutyAppointment, Person
from gateway.rules.calendar import WorkCalendar, load_calendar
from gateway.rules.deadlines import (
    CHINA_TZ,
    DeadlinePolicy,
    add_working_days,
    compute_deadline,
    count_days,
    count_hours,
    transfer_is_late,
)

CALENDAR = load_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def person(detained: bool) -> Person:
    return Person(name="测试", id_type=IdType.UNKNOWN, custody=Custody(detained=detained))


def test_the_day_of_receipt_is_not_counted() -> None:
    # Received Tuesday 2026-11-24 at 23:00: three days are 25, 26, 27 (Friday).
    assert count_days(at("2026-11-24T23:00"), 3, detained=False, calendar=CALENDAR) == at("2026-11-27T23:59:59")


def test_a_period_ending_on_a_holiday_ends_on_the_next_working_day_when_not_detained() -> None:
    # 2026-09-28 + 3 days = 2026-10-01, National Day; the holiday runs to 10-07, so 10-08.
    assert count_days(at("2026-09-28T10:00"), 3, detained=False, calendar=CALENDAR) == at("2026-10-08T23:59:59")


def test_a_period_for_a_detained_person_is_never_extended_by_a_holiday() -> None:
    assert count_days(at("2026-09-28T10:00"), 3, detained=True, calendar=CALENDAR) == at("2026-10-01T23:59:59")


def test_a_weekend_that_is_a_make_up_working_day_does_not_extend() -> None:
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday.
    assert count_days(at("2026-10-07T10:00"), 3, detained=False, calendar=CALENDAR) == at("2026-10-10T23:59:59")


def test_an_ordinary_weekend_extends_for_a_person_not_detained() -> None:
    # 2026-11-25 + 3 = Saturday 11-28 → Monday 11-30.
    assert count_days(at("2026-11-25T09:00"), 3, detained=False, calendar=CALENDAR) == at("2026-11-30T23:59:59")


def test_the_override_file_can_add_a_rest_day_the_package_lacks() -> None:
    calendar = WorkCalendar(extra_rest_days=frozenset({date(2026, 11, 30)}))
    assert count_days(at("2026-11-25T09:00"), 3, detained=False, calendar=calendar) == at("2026-12-01T23:59:59")


def test_hours_start_counting_from_the_next_whole_hour() -> None:
    assert count_hours(at("2026-11-24T09:15"), 24) == at("2026-11-25T10:00")


def test_a_transfer_forwarded_after_24_hours_is_late() -> None:
    applied = at("2026-11-24T09:15")
    assert not transfer_is_late(applied, at("2026-11-25T09:59"))
    assert transfer_is_late(applied, at("2026-11-25T10:01"))


def test_working_days_skip_holidays_and_count_make_up_days() -> None:
    # From Friday 2026-10-09: Saturday 10-10 is a make-up working day, then Monday 10-12.
    assert add_working_days(at("2026-10-09T12:00"), 2, CALENDAR) == at("2026-10-12T23:59:59")


@pytest.mark.parametrize(
    ("kind", "detained", "due", "basis"),
    [
        (Kind.NOTIFY_DEFENSE, True, "2026-10-01T23:59:59", "LAL 36"),
        (Kind.NOTIFY_DEFENSE, False, "2026-10-08T23:59:59", "LAL 36"),
        (Kind.APPLICATION_TRANSFER, True, "2026-10-05T23:59:59", "LAL 43"),
        (Kind.APPLICATION_TRANSFER, False, "2026-10-08T23:59:59", "LAL 43"),
    ],
)
def test_each_kind_has_its_period_and_legal_basis(kind: Kind, detained: bool, due: str, basis: str) -> None:
    deadline = compute_deadline(kind, at("2026-09-28T10:00"), person(detained), None, CALENDAR, DeadlinePolicy())
    assert (deadline.due_at, deadline.basis) == (at(due), basis)


def test_a_duty_lawyer_is_due_before_the_scheduled_time_when_that_comes_first() -> None:
    duty = DutyAppointment(purpose=DutyPurpose.PLEA_AGREEMENT, scheduled_at=at("2026-11-25T14:00"))
    deadline = compute_deadline(
        Kind.DUTY_LAWYER, at("2026-11-25T09:00"), person(True), duty, CALENDAR, DeadlinePolicy()
    )
    assert deadline.due_at == at("2026-11-25T14:00")


def test_a_duty_time_already_past_at_receipt_makes_the_request_due_at_once_not_before_it_came() -> None:
    duty = DutyAppointment(purpose=DutyPurpose.PLEA_AGREEMENT, scheduled_at=at("2026-11-24T14:00"))
    deadline = compute_deadline(
        Kind.DUTY_LAWYER, at("2026-11-25T09:00"), person(True), duty, CALENDAR, DeadlinePolicy()
    )
    assert deadline.due_at == at("2026-11-25T09:00")


def test_a_duty_lawyer_without_a_time_is_due_after_the_configured_working_days() -> None:
    deadline = compute_deadline(
        Kind.DUTY_LAWYER,
        at("2026-11-27T09:00"),
        person(True),
        None,
        CALENDAR,
        DeadlinePolicy(duty_lawyer_working_days=2),
    )
    assert deadline.due_at == at("2026-12-01T23:59:59")
