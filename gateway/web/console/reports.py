"""Supervisors' reports: per agency, kind and day, with a chart drawn here and a CSV export."""

import csv
import io
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from flask import Response, render_template, request

from gateway.contracts.labels import KINDS
from gateway.domain.staff import StaffMember
from gateway.rules.deadlines import CHINA_TZ as CHINA
from gateway.service.reports import ReportLine, Tally, count_requests, daily_totals
from gateway.web.console.blueprint import blp, requires
from gateway.web.context import services

DEFAULT_DAYS = 30
MAX_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
CHART_WIDTH, CHART_HEIGHT = 720.0, 160.0
OUTCOMES = tuple(field.name for field in fields(Tally))  # received, assigned_in_time, late, …
# The export's header row, in the words of the page's totals line.
OUTCOME_WORDS = {
    "received": "收到",
    "assigned_in_time": "按期指派",
    "late": "逾期",
    "withdrawn": "撤回",
    "declined": "不予援助",
    "terminated": "终止援助",
    "pending": "在办",
    "decision_late": "其中审查决定逾期",
}
CSV_COLUMNS = ("日期", "机关代码", "机关名称", "类型", *(OUTCOME_WORDS[outcome] for outcome in OUTCOMES))


class BadPeriod(ValueError):
    """The dates asked for cannot make a report; the message says why, in the staff's language."""


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, in China time."""

    first: date
    last: date

    @classmethod
    def last_days(cls, today: date) -> "Period":
        """The last 30 days, today included."""
        return cls(today - timedelta(days=DEFAULT_DAYS - 1), today)

    @classmethod
    def from_args(cls, today: date) -> "Period":
        """The `from` and `to` query arguments (the last 30 days when absent); BadPeriod when they are wrong."""
        default = cls.last_days(today)
        try:
            last = date.fromisoformat(request.args["to"]) if request.args.get("to") else default.last
            first = date.fromisoformat(request.args["from"]) if request.args.get("from") else None
        except ValueError as exc:
            raise BadPeriod("日期格式应为 YYYY-MM-DD。") from exc
        if not EARLIEST <= last <= LATEST or (first is not None and not EARLIEST <= first <= LATEST):
            raise BadPeriod(f"日期须在 {EARLIEST.year} 年至 {LATEST.year} 年之间。")
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise BadPeriod("起始日期不能晚于截止日期。")
        if (last - first).days >= MAX_DAYS:
            raise BadPeriod(f"一次最多统计 {MAX_DAYS} 天。")
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
    labelled: bool  # whether the day's date is written under it


def _report(period: Period) -> list[ReportLine]:
    start, end = period.bounds()
    found = services()
    return count_requests(found.console.report_rows(start, end), found.clock.now())


def chart_bars(lines: list[ReportLine], period: Period, height: float = CHART_HEIGHT) -> list[Bar]:
    """Bars for every day of the period (empty days too), scaled to the busiest day."""
    totals = dict(daily_totals(lines))
    days = [period.first + timedelta(days=offset) for offset in range((period.last - period.first).days + 1)]
    peak = max((tally.received for tally in totals.values()), default=0) or 1
    step = CHART_WIDTH / len(days)
    every = max(1, len(days) // 10)  # about ten dates under the axis
    bars = []
    for index, day in enumerate(days):
        tally = totals.get(day, Tally())
        counts = (tally.received, tally.assigned_in_time, tally.late)
        heights = (height * counts[0] / peak, height * counts[1] / peak, height * counts[2] / peak)
        bars.append(Bar(index * step, day, tally, heights, index % every == 0))
    return bars


@blp.get("/reports")
@requires(StaffMember.sees_reports)
def reports() -> tuple[str, int]:
    """The report page: a table, a chart and totals; wrong dates are a 400 with the reason."""
    today = services().clock.now().astimezone(CHINA).date()
    try:
        period = Period.from_args(today)
    except BadPeriod as exc:
        return render_template("console/reports.html", period=Period.last_days(today), error=str(exc)), 400
    lines = _report(period)
    totals = Tally()
    for line in lines:
        totals.add(line.tally)
    bars = chart_bars(lines, period)
    page = render_template(
        "console/reports.html",
        period=period,
        lines=lines,
        totals=totals,
        bars=bars,
        bar_width=CHART_WIDTH / len(bars),
        agencies=services().console.agency_names(),
        error=None,
    )
    return page, 200


@blp.get("/reports.csv")
@requires(StaffMember.sees_reports)
def reports_csv() -> Response:
    """The same report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese names)."""
    try:
        period = Period.from_args(services().clock.now().astimezone(CHINA).date())
    except BadPeriod as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    names = services().console.agency_names()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in _report(period):
        place = (
            line.day.isoformat(),
            line.agency_code,
            names.get(line.agency_code, ""),
            KINDS.get(line.kind, line.kind),
        )
        writer.writerow([*place, *(getattr(line.tally, outcome) for outcome in OUTCOMES)])
    filename = f"legal-aid-report-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
