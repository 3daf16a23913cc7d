"""The people's procuratorates (人民检察院) as an agency type: what they send, at which stages, on which articles."""

from adapters.procuratorate.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.procuratorate.schemas import (
    DutyLawyerRequestSchema,
    ProcuratorateApplicationTransferSchema,
    ProcuratorateDefenseNoticeSchema,
)
from gateway.contracts.agency import AgencyDeclaration, DemoAgency, Operation
from gateway.domain.enums import AgencyType, Kind, Stage
from gateway.rules.authorization import Permission, at

# The procuratorate reviews for prosecution and investigates some offences itself (CPL 19).
_STAGES = at(Stage.INVESTIGATION, Stage.REVIEW_FOR_PROSECUTION)

# Its row of the authorization matrix: the kinds it sends, at which stages, on which articles of law.
PERMISSIONS = {
    Kind.NOTIFY_DEFENSE: Permission(_STAGES, "LAL 25, 36; CPL 19, 35"),
    # CPL 173, 174: a duty lawyer is heard and present when the suspect signs the plea agreement.
    Kind.DUTY_LAWYER: Permission(_STAGES, "LAL 37; CPL 36, 173, 174"),
    Kind.APPLICATION_TRANSFER: Permission(_STAGES, "LAL 39; CPL 35"),
}

AGENCY = AgencyDeclaration(
    type=AgencyType.PROCURATORATE,
    name="人民检察院",
    description="Procuratorates (人民检察院)",
    service_title="Legal Aid Gateway: the people's procuratorates' service (人民检察院)",
    permissions=PERMISSIONS,
    operations=(
        Operation(
            Kind.NOTIFY_DEFENSE,
            "defense-notices",
            "NotifyDefense",
            ProcuratorateDefenseNoticeSchema,
            defense_notice_to_submission,
            "Notify the legal aid centre to assign a defence lawyer (LAL 25, 36).",
        ),
        Operation(
            Kind.DUTY_LAWYER,
            "duty-lawyer-requests",
            "RequestDutyLawyer",
            DutyLawyerRequestSchema,
            duty_request_to_submission,
            "Ask for a duty lawyer, e.g. at the signing of a plea agreement (LAL 30, CPL 174).",
            noun="request",
        ),
        Operation(
            Kind.APPLICATION_TRANSFER,
            "application-transfers",
            "TransferApplication",
            ProcuratorateApplicationTransferSchema,
            application_transfer_to_submission,
            "Forward a detained suspect's own legal aid application within 24 hours (转交申请, LAL 39).",
            noun="transfer",
        ),
    ),
    field_names=FIELD_NAMES,
    reference_name="document_number",
    callback_runner="a procuratorate",
    demo=DemoAgency("proc-370200", "青岛市人民检察院", "370200"),
)
