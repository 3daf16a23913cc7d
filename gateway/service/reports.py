"""Supervisors' reports: per agency, kind and day, how many were received, assigned in time, late, withdrawn …

A request is late if it missed any legal deadline it passed through: an application's LAL 43 deadline to
decide, and after a grant the deadline to assign a lawyer (LAL 43: within 3 days of the decision).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from gateway.rules.deadlines import CHINA_TZ as CHINA  # the day a request was received is the day in China
from gateway.service.ports import APPLICANT_SUPPLIES, ReportRow

CLOSED_UNASSIGNED = frozenset({"withdrawn", "declined", "terminated"})


@dataclass
class Tally:
    """The counts of one (day, agency, kind): each request in exactly one outcome besides `received`."""

    received: int = 0
    assigned_in_time: int = 0  # a lawyer assigned by the legal deadline
    late: int = 0  # a deadline missed: decided late (LAL 43), assigned late, or no lawyer when it passed
    withdrawn: int = 0  # withdrawn in time, before any lawyer was assigned
    declined: int = 0  # an application refused within its 7 days (LAL 43)
    terminated: int = 0  # aid ended in time (LAL 48), before any lawyer was assigned
    pending: int = 0  # still within its deadline
    decision_late: int = 0  # of the late: applications decided after their 7 days, or undecided past them

    def add(self, other: "Tally") -> None:
        """Add another tally's counts to this one."""
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@dataclass(frozen=True)
class ReportLine:
    """One line of the report."""

    day: date
    agency_code: str
    kind: str
    tally: Tally


def count_requests(rows: Iterable[ReportRow], now: datetime) -> list[ReportLine]:
    """Tally the requests by the day (in China) they were received, agency and kind."""
    tallies: dict[tuple[date, str, str], Tally] = defaultdict(Tally)
    for row in rows:
        tally = tallies[(row.received_at.astimezone(CHINA).date(), row.agency_code, row.kind)]
        tally.received += 1
        outcome = outcome_of(row, now)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        tally.decision_late += decision_late(row, now)
    return [ReportLine(day, agency, kind, tally) for (day, agency, kind), tally in sorted(tallies.items())]


def decision_late(row: ReportRow, now: datetime) -> bool:
    """Whether an application missed its LAL 43 deadline to decide: decided after it, or still undecided (and
    not closed) when it passed."""
    if row.decision_due_at is None:
        return False
    settled = row.decided_at or row.closed_at or now
    return settled > row.decision_due_at


def outcome_of(row: ReportRow, now: datetime) -> str:
    """The one outcome a request counts under: judged by when each deadline passed, not by what came after."""
    if row.obligation == APPLICANT_SUPPLIES:  # the applicant's date, not the centre's (LAL 43 ¶2)
        return row.state if row.state in CLOSED_UNASSIGNED else "pending"
    if decision_late(row, now):
        return "late"
    if row.assigned_at is not None:
        return "assigned_in_time" if row.assigned_at <= row.due_at else "late"
    if row.state in CLOSED_UNASSIGNED:
        closed_at = row.closed_at or now
        return "late" if closed_at > row.due_at else row.state
    return "late" if now > row.due_at else "pending"


def daily_totals(lines: Iterable[ReportLine]) -> list[tuple[date, Tally]]:
    """The report's lines added up per day, for the chart."""
    totals: dict[date, Tally] = defaultdict(Tally)
    for line in lines:
        totals[line.day].add(line.tally)
    return sorted(totals.items())
