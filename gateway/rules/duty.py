"""A duty-lawyer request's purpose must fit who asks and at which stage (LAL 30, 37; CPL 36, 173, 174)."""

from gateway.domain.enums import AgencyType, DutyPurpose, Kind, Stage
from gateway.domain.model import DutyAppointment
from gateway.errors import InvalidInput

FIELD = "duty.purpose"

# CPL 173, 174: the suspect who admits guilt signs the plea agreement (认罪认罚具结书) before the procuratorate,
# with a defender or a duty lawyer present, when the procuratorate reviews the case for prosecution.
PLEA_SIGNING = (AgencyType.PROCURATORATE, Stage.REVIEW_FOR_PROSECUTION)


def check_duty_purpose(kind: Kind, agency_type: AgencyType, stage: Stage, duty: DutyAppointment | None) -> None:
    """Raise InvalidInput when the purpose cannot arise for this agency at this stage."""
    if kind is not Kind.DUTY_LAWYER or duty is None:
        return
    if duty.purpose is DutyPurpose.PLEA_AGREEMENT and (agency_type, stage) != PLEA_SIGNING:
        raise InvalidInput(
            "a plea agreement is signed before the procuratorate at review for prosecution (CPL 174)",
            errors={
                FIELD: [
                    "plea_agreement: only a procuratorate at review_for_prosecution asks for a duty lawyer to "
                    "witness the signing (CPL 173, 174); at another stage ask for consultation or procedure_advice "
                    "(LAL 30)"
                ]
            },
        )
