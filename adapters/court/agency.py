"""The people's courts (人民法院) as an agency type: what they send, at which stages, on which articles of law."""

from adapters.court.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.court.schemas import (
    CourtApplicationTransferSchema,
    CourtDefenseNoticeSchema,
    CourtDutyLawyerRequestSchema,
)
from gateway.contracts.agency import AgencyDeclaration, DemoAgency, Operation
from gateway.domain.enums import AgencyType, Kind, Stage
from gateway.rules.authorization import TRIAL, Permission, at

# Its row of the authorization matrix: the kinds it sends, at which stages, on which articles of law.
PERMISSIONS = {
    # LAL 25, 36 / CPL 35: courts notify for their defendants; LAL 25(5) death-penalty review, 25(6) and
    # CPL 293 trial in absentia, LAL 28 and CPL 304 compulsory medical treatment are the court's alone.
    Kind.NOTIFY_DEFENSE: Permission(
        at(*TRIAL, Stage.DEATH_PENALTY_REVIEW, Stage.COMPULSORY_MEDICAL), "LAL 25, 28, 36; CPL 35, 293, 304"
    ),
    # LAL 37, CPL 36: courts tell defendants without a defender of the duty lawyer and arrange the meeting.
    Kind.DUTY_LAWYER: Permission(at(*TRIAL), "LAL 37; CPL 36"),
    # LAL 39: the organ handling the case forwards a detained defendant's application within 24 hours. In
    # death-penalty review the defendant's application leads to a notice (LAL 25(5)), not a transfer.
    Kind.APPLICATION_TRANSFER: Permission(at(*TRIAL), "LAL 39; CPL 35"),
}

AGENCY = AgencyDeclaration(
    type=AgencyType.COURT,
    name="人民法院",
    description="Courts (人民法院)",
    service_title="Legal Aid Gateway: the people's courts' service (人民法院)",
    permissions=PERMISSIONS,
    operations=(
        Operation(
            Kind.NOTIFY_DEFENSE,
            "defense-notices",
            "NotifyDefense",
            CourtDefenseNoticeSchema,
            defense_notice_to_submission,
            "Notify the legal aid centre to assign a defence lawyer (通知辩护, LAL 25, 36).",
        ),
        Operation(
            Kind.DUTY_LAWYER,
            "duty-lawyer-requests",
            "RequestDutyLawyer",
            CourtDutyLawyerRequestSchema,
            duty_request_to_submission,
            "Ask for a duty lawyer for a defendant without a defender, e.g. at a fast-track trial (LAL 30, 37).",
            noun="request",
        ),
        Operation(
            Kind.APPLICATION_TRANSFER,
            "application-transfers",
            "TransferApplication",
            CourtApplicationTransferSchema,
            application_transfer_to_submission,
            "Forward a detained defendant's own legal aid application within 24 hours (转交申请, LAL 39).",
            noun="transfer",
        ),
    ),
    field_names=FIELD_NAMES,
    reference_name="notice_number",
    callback_runner="a court",
    demo=DemoAgency("court-370202", "青岛市市南区人民法院", "370202"),
)
