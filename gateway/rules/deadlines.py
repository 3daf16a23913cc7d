"""Legal deadlines per kind, counted as Criminal Procedure Law art. 105 requires.

CPL 105: periods count in hours, days or months; the starting hour or day is not counted; a period
whose last day is a holiday ends on the first day after it, except while the suspect is detained.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gateway.domain.enums import Kind
from gateway.domain.model import Deadline, DutyAppointment, Person
from gateway.rules.calendar import WorkCalendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class DeadlinePolicy:
    """Periods that are not fixed by statute and so come from configuration."""

    duty_lawyer_working_days: int = 2  # assumption (shared/domain.md T8)


# Clocks differ a little between an agency's or a centre's system and the gateway; within this, a moment said to
# be after the gateway received a message (or an answer dated before it) is taken as the same moment.
CLOCK_SKEW = timedelta(minutes=5)


def count_days(start: datetime, days: int, *, detained: bool, calendar: WorkCalendar) -> datetime:
    """End of a period of `days` days from `start` (CPL 105)."""
    last = start.astimezone(CHINA_TZ).date() + timedelta(days=days)  # the first day is not counted
    if not detained:
        while calendar.is_rest_day(last):
            last += timedelta(days=1)
    return _end_of(last)


def count_hours(start: datetime, hours: int) -> datetime:
    """End of a period of `hours` hours from `start`; the starting hour is not counted (CPL 105)."""
    local = start.astimezone(CHINA_TZ)
    return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours + 1)


def add_working_days(start: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """End of the `days`-th working day after the day of `start`."""
    day = start.astimezone(CHINA_TZ).date()
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if not calendar.is_rest_day(day):
            remaining -= 1
    return _end_of(day)


def compute_deadline(
    kind: Kind,
    received_at: datetime,
    person: Person,
    duty: DutyAppointment | None,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
) -> Deadline:
    """The centre's obligation for a request of this kind received at `received_at`."""
    detained = person.custody.detained
    if kind is Kind.NOTIFY_DEFENSE:
        # LAL 36: the centre assigns a lawyer and informs the agency within 3 days of the notice.
        due = count_days(received_at, 3, detained=detained, calendar=calendar)
        return Deadline(due_at=due, obligation="assign_lawyer_and_inform_agency", basis="LAL 36")
    if kind is Kind.APPLICATION_TRANSFER:
        # LAL 43: the centre reviews an application within 7 days of receiving it.
        due = count_days(received_at, 7, detained=detained, calendar=calendar)
        return Deadline(due_at=due, obligation="decide_application", basis="LAL 43")
    # Duty lawyer: before the scheduled time; otherwise a configured number of working days.
    due = add_working_days(received_at, policy.duty_lawyer_working_days, calendar)
    if duty is not None and duty.scheduled_at is not None:
        # A time already past when the request arrives makes the request due at once, never before it came.
        due = min(due, max(duty.scheduled_at, received_at).astimezone(CHINA_TZ))
    return Deadline(due_at=due, obligation="name_duty_lawyer", basis="LAL 30, 37; duty-lawyer rules 2020")


def transfer_is_late(applied_at: datetime, received_at: datetime) -> bool:
    """True when a detainee's application reached the centre after 24 hours (LAL 39)."""
    return received_at > count_hours(applied_at, 24)


def notice_is_late(found_at: datetime, received_at: datetime, *, detained: bool, calendar: WorkCalendar) -> bool:
    """True when a notify-defense notice reached the centre after the three days LAL 36 gives the organ from
    finding the ground (counted as CPL 105 counts days)."""
    return received_at > count_days(found_at, 3, detained=detained, calendar=calendar)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, _END_OF_DAY, tzinfo=CHINA_TZ)
