"""Supervisors' reports: per agency, kind and day, how many were received, assigned in time, late, withdrawn."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from gateway.store.console import ReportRow

CHINA = ZoneInfo("Asia/Shanghai")  # the day a request was received is the day in China
CLOSED_UNASSIGNED = frozenset({"withdrawn", "declined"})


@dataclass
class Tally:
    """The counts of one (day, agency, kind)."""

    received: int = 0
    assigned_in_time: int = 0  # a lawyer assigned by the legal deadline
    late: int = 0  # assigned after the deadline, or still without a lawyer past it
    withdrawn: int = 0
    declined: int = 0

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
        if row.state == "withdrawn":
            tally.withdrawn += 1
        elif row.state == "declined":
            tally.declined += 1
        if row.assigned_at is not None:
            if row.assigned_at <= row.due_at:
                tally.assigned_in_time += 1
            else:
                tally.late += 1
        elif row.state not in CLOSED_UNASSIGNED and now > row.due_at:
            tally.late += 1
    return [ReportLine(day, agency, kind, tally) for (day, agency, kind), tally in sorted(tallies.items())]


def daily_totals(lines: Iterable[ReportLine]) -> list[tuple[date, Tally]]:
    """The report's lines added up per day, for the chart."""
    totals: dict[date, Tally] = defaultdict(Tally)
    for line in lines:
        totals[line.day].add(line.tally)
    return sorted(totals.items())
