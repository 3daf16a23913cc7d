"""Which days are rest days in China: the `holidays` calendar plus a local override file.

The State Council publishes each year's holidays and make-up working days in a notice (usually in
November or December for the next year). A year is *confirmed* when its notice is known: the `holidays`
package carries it, or an operator entered it in the override file with `lagw calendar load`. In an
unconfirmed year only weekends and the fixed-date holidays are known, so a deadline that falls in one is
computed as well as can be and flagged `calendar_unconfirmed`; the gateway never invents the notice's days.
"""

import importlib.util
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import holidays
import tomli_w


@cache
def _china_module() -> ModuleType:
    """`holidays.countries.china` loaded from its file alone. Imported by name, it would first run the package
    `holidays.countries`, which imports every country `holidays` knows: about 280 modules, 9 MB in every process
    and a tenth of a second at its start, for one country's calendar (which imports only the package's core)."""
    package = importlib.util.find_spec("holidays.countries")
    assert package is not None and package.submodule_search_locations is not None
    path = Path(next(iter(package.submodule_search_locations))) / "china.py"
    spec = importlib.util.spec_from_file_location("holidays.countries.china", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package_notice_years() -> frozenset[int]:
    """The years whose State Council notice the `holidays` package carries (their make-up working days)."""
    return frozenset(_china_module().ChinaStaticHolidays.special_public_holidays)


@dataclass
class WorkCalendar:
    """Answers whether a date is a working day, with local overrides taking precedence."""

    extra_rest_days: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    notices: dict[int, str] = field(default_factory=dict)  # year -> the notice entered in the override file
    _china: holidays.HolidayBase = field(default_factory=lambda: _china_module().China(), repr=False)

    def is_rest_day(self, day: date) -> bool:
        """True on weekends that are not make-up working days, and on public holidays."""
        if day in self.extra_working_days:
            return False
        if day in self.extra_rest_days:
            return True
        return not self._china.is_working_day(day)

    def is_confirmed(self, year: int) -> bool:
        """Whether the year's State Council notice is known (to the package or the override file)."""
        return year in self.notices or year in package_notice_years()

    def source(self, year: int) -> str | None:
        """Where the year's notice comes from, or None while it is unconfirmed."""
        if year in self.notices:
            return self.notices[year]
        if year in package_notice_years():
            return f"holidays {version('holidays')}"
        return None


def read_overrides(override_file: Path | None = None) -> dict[str, Any]:
    """The override file's data: the shipped one, or the one given."""
    if override_file is None:
        text = resources.files("gateway.rules").joinpath("data/calendar_overrides.toml").read_text()
    else:
        text = override_file.read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_calendar(override_file: Path | None = None) -> WorkCalendar:
    """Build the calendar from the shipped override file, or the one given."""
    data = read_overrides(override_file)
    return WorkCalendar(
        extra_rest_days=frozenset(data.get("rest_days", [])),
        extra_working_days=frozenset(data.get("working_days", [])),
        notices={int(year): str(source) for year, source in data.get("notices", {}).items()},
    )


def add_notice(
    override_file: Path, year: int, source: str, rest_days: list[date], working_days: list[date]
) -> dict[str, Any]:
    """Enter a year's State Council notice in the override file (created if missing); the data written.

    ValueError when a date lies outside the year or is both a rest day and a working day.
    """
    stray = sorted(day for day in (*rest_days, *working_days) if day.year != year)
    if stray:
        raise ValueError(f"{', '.join(map(str, stray))} not in {year}")
    both = sorted(set(rest_days) & set(working_days))
    if both:
        raise ValueError(f"{', '.join(map(str, both))} both a rest day and a working day")
    data = read_overrides(override_file) if override_file.exists() else {}
    data["rest_days"] = sorted(set(data.get("rest_days", [])) | set(rest_days))
    data["working_days"] = sorted(set(data.get("working_days", [])) | set(working_days))
    data["notices"] = {str(k): v for k, v in data.get("notices", {}).items()} | {str(year): source}
    override_file.parent.mkdir(parents=True, exist_ok=True)
    override_file.write_text(tomli_w.dumps(data), encoding="utf-8")
    return data


# The State Council's notice for a year usually comes in November or December before it.
WARN_DAYS_AHEAD = 60


def unconfirmed_soon(calendar: WorkCalendar, today: date) -> list[int]:
    """This year and, within WARN_DAYS_AHEAD days of its start, the next, where still unconfirmed."""
    years = [today.year]
    if (date(today.year + 1, 1, 1) - today).days <= WARN_DAYS_AHEAD:
        years.append(today.year + 1)
    return [year for year in years if not calendar.is_confirmed(year)]
