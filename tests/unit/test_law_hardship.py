"""The hardship pre-check of a forwarded application, rule by rule: flags for the decider, never a refusal.

Shandong Legal Aid Regulation art. 8: hardship is household income per head within twice the previous year's
minimum living standard (低保) of the county or district where the accepting centre sits. LAL 42 exempts some
people from the check; LAL 41 lets the centre rest on the applicant's personal integrity pledge.
The standards below are made up for the tests; the shipped file carries none.
"""

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.examples import sample_path
from adapters.police.mapping import application_transfer_to_submission
from adapters.police.schemas import ApplicationTransferSchema
from adapters.registry import permissions
from gateway.domain.enums import AgencyType, ApplicationBasis, Channel, HardshipExemption
from gateway.domain.model import Application
from gateway.rules.calendar import load_calendar
from gateway.rules.deadlines import CHINA_TZ, DeadlinePolicy
from gateway.rules.hardship import SubsistenceStandards, hardship_flags, load_standards
from gateway.rules.routing import load_routing_table
from gateway.service.intake import Intake
from gateway.service.ports import RawPayload
from schemas.canonical import validate_message
from tests.unit.fakes import FixedClock, InMemoryStore
from tests.unit.test_intake import POLICE

STANDARDS = """
[[standard]]
district = "370203"
monthly_per_person = "900.00"
effective_from = 2024-07-01
source = "测试用标准（一）"

[[standard]]
district = "370203"
monthly_per_person = "1000.00"
effective_from = 2025-07-01
source = "测试用标准（二）"

[[standard]]
district = "370203"
monthly_per_person = "1500.00"
effective_from = 2026-01-01
source = "测试用标准（三）：本年度起施行，不适用于本年度的申请"
"""
APPLIED = datetime(2026, 11, 24, 9, 15, tzinfo=CHINA_TZ)


def _standards(tmp_path: Path, text: str = STANDARDS) -> SubsistenceStandards:
    path = tmp_path / "standards.toml"
    path.write_text(text, encoding="utf-8")
    return load_standards(path)


def _application(**changes: object) -> Application:
    base = Application(APPLIED, ApplicationBasis.ECONOMIC_HARDSHIP, "3000.00", 2, pledge_signed=True)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_previous_years_standard_is_the_one_in_force_on_its_last_day(tmp_path: Path) -> None:
    standards = _standards(tmp_path)

    in_2026 = standards.previous_year("370203", date(2026, 11, 24))
    in_2025 = standards.previous_year("370203", date(2025, 3, 1))

    assert in_2026 is not None and in_2026.monthly_per_person == Decimal("1000.00")  # not 2026's own 1500
    assert in_2026.source == "测试用标准（二）"
    assert in_2025 is not None and in_2025.monthly_per_person == Decimal("900.00")
    assert standards.previous_year("370203", date(2024, 6, 1)) is None  # none in force at the end of 2023
    assert standards.previous_year("370202", date(2026, 11, 24)) is None  # no figure for that district


def test_the_shipped_file_has_the_format_and_no_figures_without_a_source() -> None:
    assert load_standards().by_district == {}


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('district = "3702"\nmonthly_per_person = "1.00"\neffective_from = 2025-01-01\nsource = "x"', "6-digit"),
        ('district = "370203"\nmonthly_per_person = 1000\neffective_from = 2025-01-01\nsource = "x"', "as text"),
        ('district = "370203"\nmonthly_per_person = "-5"\neffective_from = 2025-01-01\nsource = "x"', "positive"),
        ('district = "370203"\nmonthly_per_person = "1.00"\neffective_from = "2025"\nsource = "x"', "a date"),
        (
            'district = "370203"\nmonthly_per_person = "1.00"\neffective_from = 2025-01-01T00:00:00\nsource = "x"',
            "a date",
        ),
        ('district = "370203"\nmonthly_per_person = "1.00"\neffective_from = 2025-01-01\nsource = " "', "document"),
    ],
)
def test_a_malformed_standard_is_refused_with_what_is_wrong(tmp_path: Path, entry: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        _standards(tmp_path, f"[[standard]]\n{entry}\n")


def test_two_standards_from_the_same_day_are_refused(tmp_path: Path) -> None:
    first = STANDARDS.split("[[standard]]")[1]
    twice = f"{STANDARDS}[[standard]]{first}"
    with pytest.raises(ValueError, match="two standards"):
        _standards(tmp_path, twice)


@pytest.mark.parametrize(
    ("application", "flags"),
    [
        # 3000 yuan for 2 people: 1500 a head, within 2 × 1000 = 2000.
        (_application(), ("hardship_met",)),
        # 4000 for 2: 2000 a head, exactly twice the standard: still within it.
        (_application(declared_monthly_income="4000.00"), ("hardship_met",)),
        # 4000.02 for 2: 2000.01 a head, above it; a flag for the decider, not a refusal.
        (_application(declared_monthly_income="4000.02"), ("hardship_not_met",)),
        (_application(declared_monthly_income=None), ("hardship_unclear",)),
        (_application(household_size=None), ("hardship_unclear",)),
        (_application(pledge_signed=False), ("hardship_met", "pledge_missing")),  # LAL 41
        # LAL 42: exempt from the check, whatever the income and the pledge.
        (_application(exemption=HardshipExemption.JUDICIAL_ASSISTANCE, pledge_signed=False), ("hardship_exempt",)),
        (_application(basis=ApplicationBasis.OTHER_REASON), ()),  # not applied for hardship: nothing to check
        (None, ()),  # a notice: LAL 25 needs no hardship review
    ],
)
def test_the_pre_check_flags(tmp_path: Path, application: Application | None, flags: tuple[str, ...]) -> None:
    assert hardship_flags(application, "370203", _standards(tmp_path)) == flags


def test_without_the_districts_standard_the_check_is_left_to_the_centre(tmp_path: Path) -> None:
    assert hardship_flags(_application(), "370202", _standards(tmp_path)) == ("hardship_unclear",)
    assert hardship_flags(_application(), None, _standards(tmp_path)) == ("hardship_unclear",)


def test_the_accepting_centres_seat_is_its_district_or_for_the_city_centre_the_city() -> None:
    table = load_routing_table()

    assert (table.seat_of("lac370203"), table.seat_of("lac370200"), table.seat_of("nowhere")) == (
        "370203",
        "370200",
        None,
    )


def test_the_intake_puts_the_flags_on_the_canonical_message_and_accepts_either_way(tmp_path: Path) -> None:
    # The police sample: 1200 yuan a month for a household of 3 (400 a head), pledge signed, routed to the
    # 市北区 centre (370203), whose previous-year standard here is 1000.
    body = json.loads(sample_path("police/application-transfers.json").read_text(encoding="utf-8"))
    above = body | {"transfer_number": "above", "application": body["application"] | {"monthly_income_yuan": "9000"}}
    store = InMemoryStore()
    clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=CHINA_TZ))
    intake = Intake(
        store,
        clock,
        load_calendar(),
        load_routing_table(),
        DeadlinePolicy(),
        standards=_standards(tmp_path),
        matrix=permissions(),
    )
    raw = RawPayload("application/json", b"{}")

    for document in (body, above):
        submission = application_transfer_to_submission(ApplicationTransferSchema().load(document))
        intake.accept(POLICE, AgencyType.POLICE, Channel.REST, submission, raw)

    within, beyond = (validate_message(message.body)["flags"] for message in store.outbox)
    assert "hardship_met" in within and "hardship_not_met" not in within
    assert "hardship_not_met" in beyond  # accepted all the same: the centre decides (LAL 43)
