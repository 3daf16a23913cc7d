"""Supervisors' reports: per agency, kind and day, with a chart drawn here and a CSV export."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Response, render_template, request

from gateway.domain.staff import StaffMember
from gateway.reports import CHINA, ReportLine, Tally, count_requests, daily_totals
from gateway.web.console.blueprint import blp, requires
from gateway.web.context import services

DEFAULT_DAYS = 30
MAX_DAYS = 366
CSV_COLUMNS = (
    "date",
    "agency_code",
    "agency_name",
    "kind",
    "received",
    "assigned_in_time",
    "late",
    "withdrawn",
    "declined",
)


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, in China time."""

    first: date
    last: date

    @classmethod
    def from_args(cls, today: date) -> "Period":
        """The `from` and `to` query arguments; the last 30 days when absent or unreadable."""
        try:
            last = date.fromisoformat(request.args.get("to", "")) if request.args.get("to") else today
            first = date.fromisoformat(request.args["from"]) if request.args.get("from") else None
        except ValueError:
            last, first = today, None
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last or (last - first).days >= MAX_DAYS:
            first = last - timedelta(days=DEFAULT_DAYS - 1)
        return cls(first, last)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes."""
        start = datetime.combine(self.first, time(), CHINA)
        return start, datetime.combine(self.last + timedelta(days=1), time(), CHINA)


@dataclass(frozen=True)
class Bar:
    """One day's bars in the chart, in SVG units."""

    x: float
    day: date
    tally: Tally
    heights: tuple[float, float, float]  # received, assigned in time, late


def _report(period: Period) -> list[ReportLine]:
    start, end = period.bounds()
    found = services()
    return count_requests(found.console.report_rows(start, end), found.clock.now())


def chart_bars(lines: list[ReportLine], height: float = 160.0, width: float = 720.0) -> list[Bar]:
    """Bars for each day with requests, scaled to the busiest day."""
    days = daily_totals(lines)
    if not days:
        return []
    peak = max(tally.received for _, tally in days) or 1
    step = width / len(days)
    return [
        Bar(
            x=index * step,
            day=day,
            tally=tally,
            heights=tuple(height * count / peak for count in (tally.received, tally.assigned_in_time, tally.late)),  # type: ignore[arg-type]
        )
        for index, (day, tally) in enumerate(days)
    ]


@blp.get("/reports")
@requires(StaffMember.sees_reports)
def reports() -> str:
    """The report page: a table, a chart and totals."""
    period = Period.from_args(services().clock.now().astimezone(CHINA).date())
    lines = _report(period)
    totals = Tally()
    for line in lines:
        totals.add(line.tally)
    bars = chart_bars(lines)
    return render_template(
        "console/reports.html",
        period=period,
        lines=lines,
        totals=totals,
        bars=bars,
        bar_width=(720.0 / len(bars)) if bars else 0,
        agencies=services().console.agency_names(),
    )


@blp.get("/reports.csv")
@requires(StaffMember.sees_reports)
def reports_csv() -> Response:
    """The same report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese names)."""
    period = Period.from_args(services().clock.now().astimezone(CHINA).date())
    names = services().console.agency_names()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in _report(period):
        t = line.tally
        writer.writerow(
            [
                *(line.day.isoformat(), line.agency_code, names.get(line.agency_code, ""), line.kind),
                *(t.received, t.assigned_in_time, t.late, t.withdrawn, t.declined),
            ]
        )
    filename = f"legal-aid-report-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
