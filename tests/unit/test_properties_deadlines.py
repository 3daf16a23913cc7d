"""Properties of the deadline arithmetic (CPL 105 counting, shared/domain.md §1) over generated start times."""

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.enums import DutyPurpose, IdType, Kind
from gateway.domain.model import Custody, DutyAppointment, Person
from gateway.rules.calendar import load_calendar
from gateway.rules.deadlines import (
    CHINA_TZ,
    DeadlinePolicy,
    add_working_days,
    compute_deadline,
    count_days,
    count_hours,
)

CALENDAR = load_calendar()
POLICY = DeadlinePolicy()
KINDS = st.sampled_from(list(Kind))
# Years the holiday data covers, at any minute, as received in China time.
MOMENTS = st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31), timezones=st.just(CHINA_TZ))


def _person(detained: bool) -> Person:
    return Person(name="测试", id_type=IdType.UNKNOWN, custody=Custody(detained=detained))


@given(KINDS, st.booleans(), MOMENTS, MOMENTS)
def test_a_later_start_never_gives_an_earlier_deadline(
    kind: Kind, detained: bool, one: datetime, two: datetime
) -> None:
    early, late = sorted((one, two))

    due = [compute_deadline(kind, start, _person(detained), None, CALENDAR, POLICY).due_at for start in (early, late)]

    assert due[0] <= due[1]


@given(KINDS, st.booleans(), MOMENTS, st.none() | MOMENTS)
def test_a_deadline_is_never_before_the_request_came(
    kind: Kind, detained: bool, received: datetime, scheduled: datetime | None
) -> None:
    duty = DutyAppointment(purpose=DutyPurpose.CONSULTATION, scheduled_at=scheduled)

    deadline = compute_deadline(kind, received, _person(detained), duty, CALENDAR, POLICY)

    assert deadline.due_at >= received


@given(MOMENTS, st.integers(1, 10))
def test_working_days_end_on_a_working_day_after_that_many_working_days(start: datetime, days: int) -> None:
    due = add_working_days(start, days, CALENDAR)

    between = [start.date() + timedelta(days=n) for n in range(1, (due.date() - start.date()).days + 1)]
    assert not CALENDAR.is_rest_day(due.date())
    assert sum(not CALENDAR.is_rest_day(day) for day in between) == days
    assert (due.hour, due.minute, due.second) == (23, 59, 59)


@given(MOMENTS, st.sampled_from([3, 7]))
def test_for_a_detained_person_the_days_run_on_over_holidays(start: datetime, days: int) -> None:
    # CPL 105: the first day is not counted, and a period is not extended for a detained person.
    due = count_days(start, days, detained=True, calendar=CALENDAR)

    assert due == datetime.combine(start.date() + timedelta(days=days), datetime.max.time(), CHINA_TZ).replace(
        microsecond=0
    )


@given(MOMENTS, st.sampled_from([3, 7]))
def test_for_a_person_at_liberty_a_period_ending_on_a_rest_day_ends_on_the_next_working_day(
    start: datetime, days: int
) -> None:
    due = count_days(start, days, detained=False, calendar=CALENDAR).date()

    plain_end = start.date() + timedelta(days=days)
    assert due >= plain_end and not CALENDAR.is_rest_day(due)
    assert all(CALENDAR.is_rest_day(plain_end + timedelta(days=n)) for n in range((due - plain_end).days))


@given(MOMENTS)
def test_the_24_hours_start_after_the_starting_hour(start: datetime) -> None:
    # LAL 39 with CPL 105: the hour in which the application is made is not counted.
    due = count_hours(start, 24)

    assert timedelta(hours=24) < due - start <= timedelta(hours=25)
    assert (due.minute, due.second, due.microsecond) == (0, 0, 0)


@given(MOMENTS, st.booleans())
def test_the_legal_periods_are_3_days_to_notify_and_7_to_decide(received: datetime, detained: bool) -> None:
    notify = compute_deadline(Kind.NOTIFY_DEFENSE, received, _person(detained), None, CALENDAR, POLICY)
    decide = compute_deadline(Kind.APPLICATION_TRANSFER, received, _person(detained), None, CALENDAR, POLICY)

    assert (notify.basis, decide.basis) == ("LAL 36", "LAL 43")
    assert notify.due_at == count_days(received, 3, detained=detained, calendar=CALENDAR)
    assert decide.due_at == count_days(received, 7, detained=detained, calendar=CALENDAR)
    assert notify.due_at.date() >= received.date() + timedelta(days=3)


def test_the_generated_years_are_ones_the_holiday_data_knows() -> None:
    assert CALENDAR.is_rest_day(date(2026, 10, 1)) and CALENDAR.is_rest_day(date(2027, 1, 1))
