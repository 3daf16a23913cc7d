"""Which agency types may send which kinds, and at which stages (LAL 25, 36, 39; CPL 35)."""

from gateway.domain.enums import AgencyType, Kind, Stage
from gateway.domain.model import Agency
from gateway.errors import KindNotAllowed, StageNotAllowed

_ALL_KINDS = frozenset(Kind)

# LAL 36: courts, procuratorates and police notify; LAL 39: case-handling organs and detention
# facilities forward applications; LAL 37: all three secure access to duty lawyers.
KINDS_BY_AGENCY_TYPE: dict[AgencyType, frozenset[Kind]] = {
    AgencyType.COURT: _ALL_KINDS,
    AgencyType.PROCURATORATE: _ALL_KINDS,
    AgencyType.POLICE: _ALL_KINDS,
    AgencyType.LEGAL_AID_CENTRE: frozenset(),
}

STAGES_BY_AGENCY_TYPE: dict[AgencyType, frozenset[Stage]] = {
    AgencyType.COURT: frozenset(
        {
            Stage.FIRST_INSTANCE,
            Stage.SECOND_INSTANCE,
            Stage.RETRIAL,
            Stage.DEATH_PENALTY_REVIEW,
            Stage.COMPULSORY_MEDICAL,
        }
    ),
    # Procuratorates review for prosecution and investigate some offences themselves (CPL 19).
    AgencyType.PROCURATORATE: frozenset({Stage.REVIEW_FOR_PROSECUTION, Stage.INVESTIGATION}),
    AgencyType.POLICE: frozenset({Stage.INVESTIGATION}),
    AgencyType.LEGAL_AID_CENTRE: frozenset(),
}


def check_service(agency: Agency, service_type: AgencyType) -> None:
    """Refuse an agency that uses another agency type's service."""
    if agency.type is not service_type:
        raise KindNotAllowed(
            f"agency {agency.code} is a {agency.type.value}; this service is for {service_type.value} agencies"
        )


def check_sender(agency: Agency, service_type: AgencyType, kind: Kind) -> None:
    """Refuse an agency that uses another agency type's service or sends a kind it may not."""
    check_service(agency, service_type)
    if kind not in KINDS_BY_AGENCY_TYPE[agency.type] or kind not in agency.allowed_kinds:
        raise KindNotAllowed(f"agency {agency.code} may not send {kind.value} messages")


def check_stage(agency: Agency, stage: Stage) -> None:
    """Refuse a stage the agency's type cannot be handling the case at."""
    if stage not in STAGES_BY_AGENCY_TYPE[agency.type]:
        allowed = ", ".join(sorted(s.value for s in STAGES_BY_AGENCY_TYPE[agency.type]))
        raise StageNotAllowed(
            f"a {agency.type.value} does not handle cases at stage {stage.value}",
            errors={"case.stage": [f"must be one of: {allowed}"]},
        )
