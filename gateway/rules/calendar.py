"""Which days are rest days in China: the `holidays` calendar plus a local override file.

The State Council publishes each year's holidays and make-up working days in a notice; when a
new notice is out before the library knows it, the override file (kept as data) says so.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import holidays


@dataclass
class WorkCalendar:
    """Answers whether a date is a working day, with local overrides taking precedence."""

    extra_rest_days: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    _china: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("CN"), repr=False)

    def is_rest_day(self, day: date) -> bool:
        """True on weekends that are not make-up working days, and on public holidays."""
        if day in self.extra_working_days:
            return False
        if day in self.extra_rest_days:
            return True
        return not self._china.is_working_day(day)


def load_calendar(override_file: Path | None = None) -> WorkCalendar:
    """Build the calendar from the shipped override file, or the one given."""
    if override_file is None:
        text = resources.files("gateway.rules").joinpath("data/calendar_overrides.toml").read_text()
    else:
        text = override_file.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return WorkCalendar(
        extra_rest_days=frozenset(data.get("rest_days", [])),
        extra_working_days=frozenset(data.get("working_days", [])),
    )
