"""Who may send what: agency type × kind × stage × jurisdiction, decided in one place from the law.

Each agency folder declares its row of the matrix (adapters/<type>/agency.py); this module holds the checks.
The order of the checks is the order of the refusals: the service (an agency speaks only its own type's
service), the kind (the matrix, then the registry's narrower list for this agency), the stage, and last the
jurisdiction (a district agency's case elsewhere in its city is flagged, another city's refused). REST and
SOAP reach this through the intake; the SOAP endpoint also checks the service early, for GetStatus and
Withdraw.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.domain.enums import AgencyType, Kind, Level, Stage
from gateway.domain.model import Agency
from gateway.errors import KindNotAllowed, OutsideJurisdiction, StageNotAllowed


@dataclass(frozen=True)
class Permission:
    """One cell of the matrix: the stages at which a type of agency may send a kind, and the law that says so."""

    stages: frozenset[Stage]
    basis: str


@dataclass(frozen=True)
class Decision:
    """An allowed message: who sends which kind, at which stage, for which district, and on what legal basis."""

    agency_code: str
    kind: Kind
    stage: Stage
    jurisdiction: str
    basis: str
    flags: tuple[str, ...] = ()


# The authorization matrix: for each type of agency, the kinds it may send and at which stages. Each agency
# folder declares its own row, citing the law (adapters/<type>/agency.py); the registry assembles the matrix.
Matrix = Mapping[AgencyType, Mapping[Kind, Permission]]


def at(*stages: Stage) -> frozenset[Stage]:
    """The stages of a permission, as a declaration writes them."""
    return frozenset(stages)


# The stages at which a court tries the case: first instance, second instance, retrial.
TRIAL = (Stage.FIRST_INSTANCE, Stage.SECOND_INSTANCE, Stage.RETRIAL)


# A district agency's case in another district of its city: lawful, but worth a look (CPL 25-27).
OUTSIDE_USUAL_JURISDICTION = "outside_usual_jurisdiction"


def within_jurisdiction(agency: Agency, district: str) -> bool:
    """A district-level agency usually acts for its own district; a city-level one for the city and its districts.

    CPL 20-21, 24: basic courts try their district's cases, the intermediate court the city's gravest and any
    it takes up from below; procuratorates and police bureaus are organised at the same levels. LAL 38 and
    Shandong reg. 11 then route by where the agency sits, so the case's district never changes the centre.
    """
    if agency.level is Level.CITY:
        return within_city(agency, district)
    return district == agency.district


def within_city(agency: Agency, district: str) -> bool:
    """The case's district lies in the agency's city (the first four digits of GB/T 2260)."""
    return district[:4] == agency.district[:4]


def check_service(agency: Agency, service_type: AgencyType) -> None:
    """Refuse an agency that uses another agency type's service."""
    if agency.type != service_type:
        raise KindNotAllowed(
            f"agency {agency.code} is a {agency.type.value}; this service is for {service_type.value} agencies"
        )


def authorize(
    agency: Agency, service_type: AgencyType, kind: Kind, stage: Stage, jurisdiction: str | None, matrix: Matrix
) -> Decision:
    """Allow the message or refuse it; `jurisdiction` is the case's district, None for the agency's own."""
    check_service(agency, service_type)
    permission = matrix.get(agency.type, {}).get(kind)
    if permission is None or kind not in agency.allowed_kinds:
        raise KindNotAllowed(f"agency {agency.code} may not send {kind.value} messages")
    if stage not in permission.stages:
        allowed = ", ".join(s.value for s in Stage if s in permission.stages)
        raise StageNotAllowed(
            f"a {agency.type.value} does not send {kind.value} messages at stage {stage.value}",
            errors={"case.stage": [f"must be one of: {allowed}"]},
        )
    district = agency.district if jurisdiction is None else jurisdiction
    if within_jurisdiction(agency, district):
        return Decision(agency.code, kind, stage, district, permission.basis)
    if not within_city(agency, district):
        scope = f"the city {agency.district[:4]}xx"
        raise OutsideJurisdiction(
            f"agency {agency.code} acts for {scope}, not for cases in {district}",
            errors={"case.district": [f"must be within {scope}"]},
        )
    # CPL 25-27: a case may lawfully sit with a court of the defendant's residence or one a higher court
    # designates, and the organs before it follow; refusing a mandatory notice is the worst outcome, so the
    # notice is accepted and flagged for the centre. The centre is still the agency's own (LAL 38).
    return Decision(agency.code, kind, stage, district, permission.basis, (OUTSIDE_USUAL_JURISDICTION,))
