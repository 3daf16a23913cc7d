"""State security organs (国家安全机关) as an agency type. CPL 4: they handle cases endangering state security and
have the same powers as the police in them; in their cases they notify, ask for duty lawyers and forward
applications while they investigate. Their detainees are held in the police's detention centres, which forward
and ask at the later stages (the police's own permissions)."""

from adapters.state_security.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.state_security.schemas import (
    StateSecurityApplicationTransferSchema,
    StateSecurityDefenseNoticeSchema,
    StateSecurityDutyLawyerRequestSchema,
)
from gateway.contracts.agency import AgencyDeclaration, DemoAgency, Operation
from gateway.domain.enums import AgencyType, Kind, Stage
from gateway.rules.authorization import Permission, at

# Its row of the authorization matrix: the kinds it sends, at which stages, on which articles of law.
PERMISSIONS = {
    # CPL 4, 19, 35 / LAL 25, 36: as the police, a state security organ notifies in investigation only.
    Kind.NOTIFY_DEFENSE: Permission(at(Stage.INVESTIGATION), "LAL 25, 36; CPL 4, 35"),
    # CPL 4, 36 / LAL 37: the organ investigating tells a suspect without a defender of the duty lawyer.
    Kind.DUTY_LAWYER: Permission(at(Stage.INVESTIGATION), "LAL 37; CPL 4, 36"),
    # LAL 39: the organ handling the case forwards a detained suspect's application within 24 hours.
    Kind.APPLICATION_TRANSFER: Permission(at(Stage.INVESTIGATION), "LAL 39; CPL 4, 35"),
}

AGENCY = AgencyDeclaration(
    type=AgencyType("state_security"),
    name="国家安全机关",
    description="State security organs (国家安全机关)",
    service_title="Legal Aid Gateway: the state security organs' service (国家安全机关)",
    permissions=PERMISSIONS,
    operations=(
        Operation(
            Kind.NOTIFY_DEFENSE,
            "defense-notices",
            "NotifyDefense",
            StateSecurityDefenseNoticeSchema,
            defense_notice_to_submission,
            "Notify the legal aid centre to assign a defender for a suspect in investigation (通知辩护, LAL 25, 36; "
            "CPL 4).",
        ),
        Operation(
            Kind.DUTY_LAWYER,
            "duty-lawyer-requests",
            "RequestDutyLawyer",
            StateSecurityDutyLawyerRequestSchema,
            duty_request_to_submission,
            "Ask for a duty lawyer for a suspect without a defender in investigation (LAL 30, 37; CPL 4, 36).",
            noun="request",
        ),
        Operation(
            Kind.APPLICATION_TRANSFER,
            "application-transfers",
            "TransferApplication",
            StateSecurityApplicationTransferSchema,
            application_transfer_to_submission,
            "Forward a detained suspect's own legal aid application within 24 hours (转交申请, LAL 39).",
            noun="transfer",
        ),
    ),
    field_names=FIELD_NAMES,
    reference_name="document_number",
    callback_runner="a state security bureau",
    demo=DemoAgency("ss-370200", "青岛市国家安全局", "370200"),
)
