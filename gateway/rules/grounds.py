"""Grounds of a notify-defense notice must exist and agree with the data (LAL 25, 28; CPL 35, 278)."""

from datetime import date

from gateway.domain.enums import AgencyType, Disability, Ground, Kind, Procedure, Stage
from gateway.domain.model import Case, Person
from gateway.errors import GroundsInvalid
from gateway.rules.identity import age_on

FIELD = "grounds"

# Grounds only one agency type can raise.
_ONLY_FROM: dict[Ground, AgencyType] = {
    Ground.TRIAL_IN_ABSENTIA: AgencyType.COURT,  # CPL 293
    Ground.COMPULSORY_MEDICAL: AgencyType.COURT,  # LAL 28, CPL 304
    Ground.DEATH_PENALTY_REVIEW: AgencyType.COURT,  # LAL 25(5)
    Ground.FULL_COVERAGE_TRIAL: AgencyType.COURT,  # 2017 full-coverage pilot
    Ground.FULL_COVERAGE_REVIEW: AgencyType.PROCURATORATE,  # 2022 opinions
}
_SENSORY = frozenset({Disability.VISUAL, Disability.HEARING, Disability.SPEECH})

# LAL 26: for a possible life sentence or death penalty, and for every defendant in death-penalty review
# whatever the notice's grounds, the centre appoints a lawyer with at least three years' relevant practice.
SENIOR_GROUNDS = frozenset({Ground.LIFE_OR_DEATH_PENALTY, Ground.DEATH_PENALTY_REVIEW})
SENIOR_YEARS = 3

# Full defence coverage (an instrument not in shared/law: the 2017 Supreme People's Court and Ministry of Justice
# measures on the full-coverage pilot, art. 2): at trial under ordinary procedure, at second instance and at
# retrial the court notifies; summary and fast-track cases get a duty lawyer instead. The 2022 opinions extend
# it to review for prosecution, where the procuratorate notifies.
_FULL_COVERAGE_STAGES = {
    Ground.FULL_COVERAGE_TRIAL: frozenset({Stage.FIRST_INSTANCE, Stage.SECOND_INSTANCE, Stage.RETRIAL}),
    Ground.FULL_COVERAGE_REVIEW: frozenset({Stage.REVIEW_FOR_PROSECUTION}),
}
_DUTY_LAWYER_PROCEDURES = frozenset({Procedure.SUMMARY, Procedure.FAST_TRACK})


def needs_senior_lawyer(grounds: frozenset[Ground], stage: Stage | None) -> bool:
    """Whether LAL 26 asks for a lawyer with three years' practice: by ground, or by the stage of review."""
    return bool(grounds & SENIOR_GROUNDS) or stage is Stage.DEATH_PENALTY_REVIEW


def check_grounds(
    kind: Kind, agency_type: AgencyType, grounds: tuple[Ground, ...], person: Person, case: Case, notice_date: date
) -> tuple[str, ...]:
    """Raise GroundsInvalid when grounds are missing or contradict the data; return flags to carry."""
    if kind is not Kind.NOTIFY_DEFENSE:
        if grounds:
            raise GroundsInvalid("only notify-defense notices carry grounds", errors={FIELD: ["must be empty"]})
        return ()
    if not grounds:
        raise GroundsInvalid("a notify-defense notice needs at least one ground", errors={FIELD: ["at least one"]})
    repeated = sorted({ground.value for ground in grounds if grounds.count(ground) > 1})
    problems = [f"{ground}: named more than once" for ground in repeated]
    problems += _contradictions(agency_type, grounds, person, case)
    flags: tuple[str, ...] = ()
    if Ground.MINOR in grounds:
        minor_problem, flags = _check_minor(person, case, notice_date)
        problems.extend(minor_problem)
    if problems:
        raise GroundsInvalid("the grounds do not agree with the data", errors={FIELD: problems})
    return flags


def _contradictions(agency_type: AgencyType, grounds: tuple[Ground, ...], person: Person, case: Case) -> list[str]:
    problems: list[str] = []
    for ground in grounds:
        only = _ONLY_FROM.get(ground)
        if only is not None and only is not agency_type:
            problems.append(f"{ground.value}: only a {only.value} may notify on this ground")
    if Ground.DEATH_PENALTY_REVIEW in grounds and case.stage is not Stage.DEATH_PENALTY_REVIEW:
        problems.append("death_penalty_review: the case must be at stage death_penalty_review")
    if Ground.COMPULSORY_MEDICAL in grounds and case.stage is not Stage.COMPULSORY_MEDICAL:
        problems.append("compulsory_medical: the case must be at stage compulsory_medical")
    for ground, stages in _FULL_COVERAGE_STAGES.items():
        if ground in grounds and case.stage not in stages:
            allowed = ", ".join(stage.value for stage in Stage if stage in stages)
            problems.append(f"{ground.value}: the case must be at stage {allowed}")
    if Ground.FULL_COVERAGE_TRIAL in grounds and case.procedure in _DUTY_LAWYER_PROCEDURES:
        problems.append(
            "full_coverage_trial: a case tried under summary or fast-track procedure gets a duty lawyer, "
            "not a notified defender (full-coverage measures 2017, art. 2)"
        )
    if Ground.VISUAL_HEARING_SPEECH_DISABILITY in grounds and not _SENSORY.intersection(person.disabilities):
        problems.append(
            "visual_hearing_speech_disability: person.disabilities names no visual, hearing or speech disability"
        )
    return problems


def _check_minor(person: Person, case: Case, notice_date: date) -> tuple[list[str], tuple[str, ...]]:
    """A minor is under 18 at the notice or at the offence; which date governs is for the centre."""
    if person.birth_date is None:
        return [], ("minor_age_unverified",)
    minor_now = age_on(person.birth_date, notice_date) < 18
    minor_then = case.offence_date is not None and age_on(person.birth_date, case.offence_date) < 18
    if minor_now:
        return [], ()
    if minor_then:
        return [], ("minor_at_offence_only",)
    return ["minor: the person is 18 or older on the notice date and on the offence date"], ()
