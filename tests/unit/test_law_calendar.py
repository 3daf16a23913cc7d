"""The work calendar as data an operator keeps current: a year counts as known (CPL 105 moves a period's end past
its rest days) only when the State Council's notice for it is loaded; deadlines in other years are flagged."""

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
from adapters.examples import sample_path
from adapters.registry import permissions
from gateway.cli.main import main
from gateway.domain.enums import AgencyType, Channel
from gateway.rules.calendar import add_notice, load_calendar, unconfirmed_soon
from gateway.rules.deadlines import CHINA_TZ, DeadlinePolicy
from gateway.rules.routing import load_routing_table
from gateway.service.intake import Intake
from gateway.service.ports import RawPayload
from schemas.canonical import validate_message
from tests.unit.fakes import FixedClock, InMemoryStore
from tests.unit.test_intake import COURT

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"


def test_2025_and_2026_are_confirmed_and_2027_is_not_until_its_notice_is_loaded(tmp_path: Path) -> None:
    shipped = load_calendar()
    override = tmp_path / "calendar.toml"

    add_notice(override, 2027, NOTICE_2027, [date(2027, 2, 8)], [date(2027, 2, 6)])
    loaded = load_calendar(override)

    assert [shipped.is_confirmed(year) for year in (2025, 2026, 2027)] == [True, True, False]
    assert shipped.source(2027) is None
    assert loaded.is_confirmed(2027) and loaded.source(2027) == NOTICE_2027
    assert loaded.is_rest_day(date(2027, 2, 8))  # a Monday the notice gives off
    assert not loaded.is_rest_day(date(2027, 2, 6))  # a Saturday it makes a working day


def test_loading_keeps_what_the_file_had_and_refuses_dates_of_another_year(tmp_path: Path) -> None:
    override = tmp_path / "calendar.toml"
    add_notice(override, 2027, NOTICE_2027, [date(2027, 1, 1)], [])
    add_notice(override, 2028, "2028年通知", [date(2028, 1, 1)], [])

    with pytest.raises(ValueError, match="2029-01-01 not in 2028"):
        add_notice(override, 2028, "2028年通知", [date(2029, 1, 1)], [])
    with pytest.raises(ValueError, match="2028-01-02 both a rest day and a working day"):
        add_notice(override, 2028, "2028年通知", [date(2028, 1, 2)], [date(2028, 1, 2)])
    calendar = load_calendar(override)
    assert calendar.notices == {2027: NOTICE_2027, 2028: "2028年通知"}
    assert calendar.extra_rest_days == {date(2027, 1, 1), date(2028, 1, 1)}


@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (date(2026, 11, 1), []),  # 61 days before 2027
        (date(2026, 11, 2), [2027]),  # 60 days before: the notice usually comes about now
        (date(2027, 3, 1), [2027]),  # a year under way without its notice
        (date(2026, 6, 1), []),
    ],
)
def test_config_check_warns_of_an_unconfirmed_year_within_sixty_days(today: date, warned: list[int]) -> None:
    assert unconfirmed_soon(load_calendar(), today) == warned


def test_a_deadline_in_an_unconfirmed_year_is_flagged_and_one_in_a_confirmed_year_is_not(tmp_path: Path) -> None:
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    flagged = []
    for calendar in (load_calendar(), load_calendar(_with_2027(tmp_path))):
        store = InMemoryStore()
        received = datetime(2026, 12, 30, 10, 0, tzinfo=CHINA_TZ)  # LAL 36: three days, into 2027
        intake = Intake(
            store, FixedClock(received), calendar, load_routing_table(), DeadlinePolicy(), matrix=permissions()
        )
        submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))
        intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RawPayload("x", b"{}"))
        flagged.append(validate_message(store.outbox[0].body)["flags"])

    assert flagged == [["calendar_unconfirmed"], []]


def _with_2027(tmp_path: Path) -> Path:
    override = tmp_path / "with-2027.toml"
    add_notice(override, 2027, NOTICE_2027, [date(2027, 1, 1)], [])
    return override


def test_lagw_calendar_loads_a_notice_and_shows_the_years(tmp_path: Path) -> None:
    override = tmp_path / "calendar.toml"
    env = {"LAGW_CALENDAR_FILE": str(override)}
    runner = CliRunner()

    shipped = runner.invoke(
        main, ["calendar", "show", "--from", "2025", "--to", "2027"], env={"LAGW_CALENDAR_FILE": ""}
    )
    missing = runner.invoke(main, ["calendar", "show"], env=env)
    loaded = runner.invoke(
        main,
        ["calendar", "load", "--year", "2027", "--source", NOTICE_2027, "--rest-day", "2027-01-01"],
        env=env,
    )
    after = runner.invoke(main, ["calendar", "show", "--from", "2027", "--to", "2027"], env=env)
    stray = runner.invoke(
        main, ["calendar", "load", "--year", "2027", "--source", "x", "--rest-day", "2028-01-01"], env=env
    )
    nowhere = runner.invoke(
        main, ["calendar", "load", "--year", "2027", "--source", "x"], env={"LAGW_CALENDAR_FILE": ""}
    )

    years = [line.split()[:2] for line in shipped.output.splitlines()]
    assert years == [["2025", "confirmed"], ["2026", "confirmed"], ["2027", "unconfirmed"]]
    assert missing.exit_code == 1 and "LAGW_CALENDAR_FILE" in missing.output
    assert loaded.exit_code == 0, loaded.output
    assert after.output.split()[:3] == ["2027", "confirmed", NOTICE_2027]
    assert stray.exit_code == 1 and "2028-01-01 not in 2027" in stray.output
    assert nowhere.exit_code == 1 and "set LAGW_CALENDAR_FILE" in nowhere.output


def test_the_calendar_loads_china_alone_not_every_country_the_holidays_package_knows() -> None:
    # 2025's State Council notice: National Day and Mid-Autumn 1–8 October off, Sunday 28 September worked.
    script = (
        "import sys; from datetime import date; from gateway.rules.calendar import load_calendar;"
        "c = load_calendar();"
        "print(c.is_rest_day(date(2025, 10, 1)), c.is_rest_day(date(2025, 9, 28)), c.is_confirmed(2025),"
        " 'holidays.countries' in sys.modules, len([m for m in sys.modules if m.startswith('holidays.countries.')]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.split() == ["True", "False", "True", "False", "0"]
