"""The grounds of a notify-defense notice against agency, stage and person, every refusal with its own message.

Written out from the law, not from the code's tables: LAL 25(1)-(7), LAL 28, CPL 35, 278, 293, 304; the 2017
full-coverage pilot for trials and the 2022 opinions for review for prosecution.
"""

from datetime import date

import pytest

from adapters.registry import agency_types
from gateway.domain.enums import AgencyType, Disability, Ground, IdType, Kind, Procedure, Stage
from gateway.domain.model import Case, Person
from gateway.errors import GroundsInvalid
from gateway.rules.grounds import SENIOR_YEARS, check_grounds, needs_senior_lawyer

NOTICE_DAY = date(2026, 11, 25)
ADULT_DEAF = Person(
    name="测试", id_type=IdType.UNKNOWN, birth_date=date(1975, 6, 20), disabilities=(Disability.HEARING,)
)

# The one agency type that may raise each ground; grounds absent here any case-handling organ may raise.
ONLY_FROM = {
    "trial_in_absentia": "court",  # LAL 25(6), CPL 293
    "compulsory_medical": "court",  # LAL 28, CPL 304
    "death_penalty_review": "court",  # LAL 25(5)
    "full_coverage_trial": "court",  # 2017 full-coverage pilot rules
    "full_coverage_review": "procuratorate",  # 2022 opinions
}
# Grounds that exist only at some stages of the case.
ONLY_AT = {
    "death_penalty_review": ("death_penalty_review",),  # LAL 25(5)
    "compulsory_medical": ("compulsory_medical",),  # LAL 28, CPL 304
    # 2017 full-coverage measures art. 2 (not in shared/law): ordinary first instance, second instance, retrial.
    "full_coverage_trial": ("first_instance", "second_instance", "retrial"),
    "full_coverage_review": ("review_for_prosecution",),  # 2022 opinions on review for prosecution
}
DATA_GROUNDS = {Ground.MINOR, Ground.VISUAL_HEARING_SPEECH_DISABILITY}  # checked against the person below


def expected_problems(agency_type: str, ground: str, stage: str) -> list[str]:
    """The refusals the tables above give, in the order the rule reports them."""
    problems = []
    if ground in ONLY_FROM and ONLY_FROM[ground] != agency_type:
        problems.append(f"{ground}: only a {ONLY_FROM[ground]} may notify on this ground")
    if ground in ONLY_AT and stage not in ONLY_AT[ground]:
        problems.append(f"{ground}: the case must be at stage {', '.join(ONLY_AT[ground])}")
    return problems


CELLS = [(t, g, s) for t in agency_types() for g in Ground if g not in DATA_GROUNDS for s in Stage]


@pytest.mark.parametrize(("agency_type", "ground", "stage"), CELLS, ids=[f"{t}-{g}-{s}" for t, g, s in CELLS])
def test_every_ground_from_every_agency_type_at_every_stage(
    agency_type: AgencyType, ground: Ground, stage: Stage
) -> None:
    case = Case(number="1", stage=stage, charges=("盗窃罪",))
    expected = expected_problems(agency_type.value, ground.value, stage.value)

    if not expected:
        assert check_grounds(Kind.NOTIFY_DEFENSE, agency_type, (ground,), ADULT_DEAF, case, NOTICE_DAY) == ()
        return
    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, agency_type, (ground,), ADULT_DEAF, case, NOTICE_DAY)
    assert (refused.value.code, refused.value.status) == ("grounds-invalid", 422)
    assert str(refused.value) == "the grounds do not agree with the data"
    assert refused.value.errors == {"grounds": expected}


def test_all_the_problems_of_one_notice_are_reported_together() -> None:
    blind_minor_at_trial = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))
    adult = Person(name="测试", id_type=IdType.UNKNOWN, birth_date=date(1975, 6, 20))
    grounds = (Ground.DEATH_PENALTY_REVIEW, Ground.VISUAL_HEARING_SPEECH_DISABILITY, Ground.MINOR)

    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.PROCURATORATE, grounds, adult, blind_minor_at_trial, NOTICE_DAY)

    assert refused.value.errors == {
        "grounds": [
            "death_penalty_review: only a court may notify on this ground",
            "death_penalty_review: the case must be at stage death_penalty_review",
            "visual_hearing_speech_disability: person.disabilities names no visual, hearing or speech disability",
            "minor: the person is 18 or older on the notice date and on the offence date",
        ]
    }


@pytest.mark.parametrize(
    ("disabilities", "accepted"),
    [
        ((Disability.VISUAL,), True),  # blind, LAL 25(2)
        ((Disability.HEARING,), True),  # deaf
        ((Disability.SPEECH,), True),  # mute
        ((Disability.PHYSICAL, Disability.SPEECH), True),
        ((), False),
        ((Disability.INTELLECTUAL,), False),  # LAL 25(3) is limited_capacity, not this ground
        ((Disability.MENTAL,), False),
        ((Disability.PHYSICAL,), False),
    ],
)
def test_the_sensory_ground_needs_a_visual_hearing_or_speech_disability(
    disabilities: tuple[Disability, ...], accepted: bool
) -> None:
    person = Person(name="测试", id_type=IdType.UNKNOWN, disabilities=disabilities)
    case = Case(number="1", stage=Stage.INVESTIGATION, charges=("盗窃罪",))
    grounds = (Ground.VISUAL_HEARING_SPEECH_DISABILITY,)

    if accepted:
        assert check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.POLICE, grounds, person, case, NOTICE_DAY) == ()
        return
    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.POLICE, grounds, person, case, NOTICE_DAY)
    assert refused.value.errors == {
        "grounds": [
            "visual_hearing_speech_disability: person.disabilities names no visual, hearing or speech disability"
        ]
    }


BORN = date(2008, 11, 25)  # 18th birthday 2026-11-25; 18 full years from 2026-11-26 (法释〔2006〕1号 art. 2)


@pytest.mark.parametrize(
    ("notice_day", "offence_day", "outcome"),
    [
        (date(2026, 11, 24), None, ()),
        (date(2026, 11, 25), None, ()),  # the 18th birthday: still a minor (LAL 25(1), CPL 278)
        (date(2026, 11, 26), None, "refused"),
        (date(2026, 11, 26), date(2026, 11, 25), ("minor_at_offence_only",)),
        (date(2026, 11, 26), date(2026, 11, 26), "refused"),
        (date(2027, 3, 1), date(2025, 1, 1), ("minor_at_offence_only",)),
        (date(2026, 11, 25), date(2026, 11, 1), ()),  # a minor now: no flag, whatever the offence date
    ],
)
def test_the_minor_ground_on_the_notice_and_offence_dates(
    notice_day: date, offence_day: date | None, outcome: object
) -> None:
    person = Person(name="测试", id_type=IdType.UNKNOWN, birth_date=BORN)
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",), offence_date=offence_day)

    if outcome != "refused":
        assert (
            check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.COURT, (Ground.MINOR,), person, case, notice_day) == outcome
        )
        return
    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.COURT, (Ground.MINOR,), person, case, notice_day)
    assert refused.value.errors == {
        "grounds": ["minor: the person is 18 or older on the notice date and on the offence date"]
    }


def test_a_minor_ground_without_a_birth_date_is_carried_with_a_flag_for_the_centre() -> None:
    unknown = Person(name="测试", id_type=IdType.UNKNOWN)
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))
    flags = check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.COURT, (Ground.MINOR,), unknown, case, NOTICE_DAY)
    assert flags == ("minor_age_unverified",)


def test_a_notice_needs_a_ground() -> None:
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))
    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.COURT, (), ADULT_DEAF, case, NOTICE_DAY)
    assert str(refused.value) == "a notify-defense notice needs at least one ground"
    assert refused.value.errors == {"grounds": ["at least one"]}


@pytest.mark.parametrize("kind", [Kind.DUTY_LAWYER, Kind.APPLICATION_TRANSFER])
def test_other_kinds_carry_no_grounds(kind: Kind) -> None:
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))
    assert check_grounds(kind, AgencyType.COURT, (), ADULT_DEAF, case, NOTICE_DAY) == ()
    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(kind, AgencyType.COURT, (Ground.OTHER_LAW,), ADULT_DEAF, case, NOTICE_DAY)
    assert str(refused.value) == "only notify-defense notices carry grounds"
    assert refused.value.errors == {"grounds": ["must be empty"]}


def test_a_ground_named_twice_is_refused_with_the_other_problems() -> None:
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",))
    grounds = (Ground.LIFE_OR_DEATH_PENALTY, Ground.TRIAL_IN_ABSENTIA, Ground.LIFE_OR_DEATH_PENALTY)

    with pytest.raises(GroundsInvalid) as refused:
        check_grounds(Kind.NOTIFY_DEFENSE, AgencyType.PROCURATORATE, grounds, ADULT_DEAF, case, NOTICE_DAY)

    assert refused.value.errors == {
        "grounds": [
            "life_or_death_penalty: named more than once",
            "trial_in_absentia: only a court may notify on this ground",
        ]
    }


@pytest.mark.parametrize(
    ("procedure", "refused"),
    [(None, False), (Procedure.ORDINARY, False), (Procedure.SUMMARY, True), (Procedure.FAST_TRACK, True)],
)
def test_full_coverage_at_trial_is_for_ordinary_procedure_summary_and_fast_track_get_a_duty_lawyer(
    procedure: Procedure | None, refused: bool
) -> None:
    # 2017 full-coverage measures art. 2 (not in shared/law); LAL 30, CPL 36: the duty lawyer in the others.
    case = Case(number="1", stage=Stage.FIRST_INSTANCE, charges=("盗窃罪",), procedure=procedure)
    notify = (Kind.NOTIFY_DEFENSE, AgencyType.COURT, (Ground.FULL_COVERAGE_TRIAL,), ADULT_DEAF, case, NOTICE_DAY)

    if not refused:
        assert check_grounds(*notify) == ()
        return
    with pytest.raises(GroundsInvalid) as refusal:
        check_grounds(*notify)
    assert refusal.value.errors == {
        "grounds": [
            "full_coverage_trial: a case tried under summary or fast-track procedure gets a duty lawyer, "
            "not a notified defender (full-coverage measures 2017, art. 2)"
        ]
    }


SENIOR = {Ground.LIFE_OR_DEATH_PENALTY, Ground.DEATH_PENALTY_REVIEW}  # LAL 26, by ground
SENIOR_CELLS = [(g, s) for g in Ground for s in Stage]


@pytest.mark.parametrize(("ground", "stage"), SENIOR_CELLS, ids=[f"{g}-{s}" for g, s in SENIOR_CELLS])
def test_lal_26_asks_three_years_by_ground_and_for_every_defendant_in_death_penalty_review(
    ground: Ground, stage: Stage
) -> None:
    # LAL 26: 可能被判处无期徒刑、死刑的人，以及死刑复核案件的被告人 — a lawyer of three years' practice.
    expected = ground in SENIOR or stage is Stage.DEATH_PENALTY_REVIEW

    assert needs_senior_lawyer(frozenset({ground}), stage) is expected
    assert needs_senior_lawyer(frozenset(), Stage.DEATH_PENALTY_REVIEW) is True
    assert SENIOR_YEARS == 3
