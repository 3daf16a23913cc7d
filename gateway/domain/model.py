"""The canonical legal-aid request as frozen dataclasses."""

from dataclasses import dataclass, field
from datetime import date, datetime

from gateway.domain.enums import (
    AgencyType,
    ApplicationBasis,
    Channel,
    DecisionOutcome,
    Disability,
    DutyPurpose,
    Gender,
    Ground,
    HardshipExemption,
    IdType,
    Kind,
    Level,
    ObjectionOutcome,
    Procedure,
    RefusalReason,
    ReplacementReason,
    RequestState,
    Stage,
    TerminationGround,
    WithdrawalReason,
)

SCHEMA_VERSION = "legalaid.request/1"


@dataclass(frozen=True)
class Agency:
    """A registered agency; who it is comes from its credentials, never from a message body."""

    code: str
    name: str
    type: AgencyType
    level: Level
    district: str
    allowed_kinds: frozenset[Kind]


@dataclass(frozen=True)
class Custody:
    """Whether and where the person is held."""

    detained: bool
    facility: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class Person:
    """The suspect, defendant or applicant, as the agency declared him."""

    name: str
    id_type: IdType
    id_number: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    language: str | None = None
    interpreter_needed: bool = False
    disabilities: tuple[Disability, ...] = ()
    custody: Custody = field(default_factory=lambda: Custody(detained=False))
    minor: bool | None = None  # derived by the gateway, never taken from the agency


@dataclass(frozen=True)
class OrganSeat:
    """Where the organ handling the case (办案机关) sits: its level and district decide which centre receives
    a detainee's application (LAL 38; Shandong regulation art. 11)."""

    level: Level
    district: str  # GB/T 2260
    code: str | None = None  # the organ's registered agency code, when it is one


@dataclass(frozen=True)
class Case:
    """The criminal case the request belongs to."""

    number: str
    stage: Stage
    charges: tuple[str, ...]
    handling_organ: str | None = None
    procedure: Procedure | None = None
    offence_date: date | None = None
    hearing_at: datetime | None = None
    hearing_place: str | None = None
    district: str | None = None  # GB/T 2260 code of the case's district; None: the sending agency's own
    ground_found_at: datetime | None = None  # when the organ found the ground for notifying (LAL 36)
    handling_organ_seat: OrganSeat | None = None  # for a forwarded application: where the handling organ sits


@dataclass(frozen=True)
class DutyAppointment:
    """What a duty-lawyer request asks for."""

    purpose: DutyPurpose
    scheduled_at: datetime | None = None
    place: str | None = None


@dataclass(frozen=True)
class Application:
    """A detainee's own legal aid application, forwarded by the agency."""

    applied_at: datetime
    basis: ApplicationBasis
    declared_monthly_income: str | None = None  # decimal text, yuan; self-declaration with pledge
    household_size: int | None = None
    pledge_signed: bool = False
    exemption: HardshipExemption | None = None
    applicant_relation: str | None = None  # "self" or the close relative who applied


@dataclass(frozen=True)
class Contact:
    """The case-handling officer the centre can call."""

    name: str
    phone: str
    title: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A document held elsewhere, carried by reference and digest (claim check)."""

    title: str
    uri: str
    sha256: str
    media_type: str | None = None


@dataclass(frozen=True)
class Submission:
    """What an adapter makes of an agency's message, before the gateway stamps it."""

    kind: Kind
    reference: str
    case: Case
    person: Person
    contact: Contact
    grounds: tuple[Ground, ...] = ()
    duty: DutyAppointment | None = None
    application: Application | None = None
    attachments: tuple[Attachment, ...] = ()
    notes: str | None = None
    # Further persons the same document names (a 法律帮助通知书 may name several): each becomes a request of its
    # own, with the reference `<reference>#2`, `#3` … and linked to the others as `same_notice`.
    co_persons: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Source:
    """Who sent the request, how and when."""

    agency_type: AgencyType
    agency_code: str
    agency_name: str
    agency_district: str
    channel: Channel
    reference: str
    received_at: datetime


@dataclass(frozen=True)
class Deadline:
    """When the centre's legal obligation falls due, and the law that sets it."""

    due_at: datetime
    obligation: str
    basis: str


@dataclass(frozen=True)
class Routing:
    """Which legal aid centre the request goes to, and the routing key on the bus."""

    centre_code: str
    routing_key: str


@dataclass(frozen=True)
class Related:
    """Another request for the same person (an earlier stage of the case, a probable duplicate), or for another
    person named in the same document."""

    id: str
    relation: str  # earlier_stage, probable_duplicate, same_notice
    stage: Stage
    agency_code: str


@dataclass(frozen=True)
class PersonMatch:
    """A stored request whose person matches a new one (by ID number, or by name and birth date)."""

    id: str
    kind: Kind
    agency_code: str
    stage: Stage | None
    state: RequestState


@dataclass(frozen=True)
class LegalAidRequest:
    """The canonical request: one shape for every agency, kind and transport."""

    id: str
    kind: Kind
    source: Source
    case: Case
    person: Person
    contact: Contact
    grounds: tuple[Ground, ...]
    duty: DutyAppointment | None
    application: Application | None
    attachments: tuple[Attachment, ...]
    deadline: Deadline
    routing: Routing
    flags: tuple[str, ...] = ()
    notes: str | None = None
    state: RequestState = RequestState.RECEIVED
    related: tuple[Related, ...] = ()
    schema: str = SCHEMA_VERSION


@dataclass(frozen=True)
class Withdrawal:
    """An agency takes back its notice or request; the centre stops work on it."""

    request_id: str
    kind: Kind
    agency_code: str
    reference: str
    centre_code: str
    reason: WithdrawalReason
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Lawyer:
    """The lawyer the centre appoints (法律援助人员): name, firm, licence (执业证号) and contact."""

    name: str
    law_firm: str
    licence_number: str
    phone: str
    years_of_practice: int | None = None


@dataclass(frozen=True)
class Appointment:
    """The centre's answer to a notice or request: who will act, from when (and for a duty lawyer, where)."""

    lawyer: Lawyer
    appointed_at: datetime
    duty_place: str | None = None
    duty_time: datetime | None = None
    note: str | None = None
    replacement_reason: ReplacementReason | None = None  # set when this appointment replaces another


@dataclass(frozen=True)
class Decision:
    """The centre's decision on an application (LAL 43); a refusal carries its reasons."""

    outcome: DecisionOutcome
    decided_at: datetime
    reason_code: RefusalReason | None = None
    reason: str | None = None


@dataclass(frozen=True)
class MaterialsRequest:
    """The centre's one-time request for what an application lacks (补充材料通知, LAL 43 ¶2)."""

    requested_at: datetime
    items: tuple[str, ...]  # each document or explanation needed, as the applicant is to read it
    supply_by: datetime  # the date the centre set; not supplied by then, the application is deemed withdrawn
    note: str | None = None


@dataclass(frozen=True)
class ObjectionDecision:
    """The justice bureau's decision on a person's objection to a refusal or termination (LAL 49)."""

    lodged_at: datetime  # when the person objected
    decided_at: datetime  # when the bureau decided
    outcome: ObjectionOutcome
    document_number: str  # the bureau's 文号
    note: str | None = None


@dataclass(frozen=True)
class Termination:
    """The centre's decision to end legal aid (终止法律援助决定书, LAL 48), on one of the law's grounds."""

    ground: TerminationGround
    terminated_at: datetime
    reason: str
