"""A duty lawyer to witness a plea agreement is asked for by the procuratorate at review for prosecution
(CPL 173, 174); every other purpose any organ may ask for at the stages it handles (LAL 30, 37; CPL 36)."""

import pytest

from adapters.registry import agency_types
from gateway.domain.enums import AgencyType, DutyPurpose, Kind, Stage
from gateway.domain.model import DutyAppointment
from gateway.errors import InvalidInput
from gateway.rules.duty import check_duty_purpose

CELLS = [(t, s, p) for t in agency_types() for s in Stage for p in DutyPurpose]


@pytest.mark.parametrize(("agency_type", "stage", "purpose"), CELLS, ids=[f"{t}-{s}-{p}" for t, s, p in CELLS])
def test_only_the_procuratorate_at_review_for_prosecution_asks_for_plea_signing(
    agency_type: AgencyType, stage: Stage, purpose: DutyPurpose
) -> None:
    # CPL 174 ¶1: 签署认罪认罚具结书 in the presence of a defender or a duty lawyer, before the procuratorate.
    signing = agency_type is AgencyType.PROCURATORATE and stage is Stage.REVIEW_FOR_PROSECUTION
    duty = DutyAppointment(purpose)

    if purpose is not DutyPurpose.PLEA_AGREEMENT or signing:
        check_duty_purpose(Kind.DUTY_LAWYER, agency_type, stage, duty)
        return
    with pytest.raises(InvalidInput) as refused:
        check_duty_purpose(Kind.DUTY_LAWYER, agency_type, stage, duty)
    assert (refused.value.code, refused.value.status) == ("validation-failed", 422)
    [message] = refused.value.errors["duty.purpose"]
    assert message.startswith("plea_agreement: only a procuratorate at review_for_prosecution")
    assert "(CPL 173, 174)" in message


def test_other_kinds_are_not_judged_by_a_duty_purpose() -> None:
    for kind in (Kind.NOTIFY_DEFENSE, Kind.APPLICATION_TRANSFER):
        check_duty_purpose(kind, AgencyType.POLICE, Stage.INVESTIGATION, DutyAppointment(DutyPurpose.PLEA_AGREEMENT))
    check_duty_purpose(Kind.DUTY_LAWYER, AgencyType.POLICE, Stage.INVESTIGATION, None)
