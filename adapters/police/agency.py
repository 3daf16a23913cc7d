"""Public security organs (公安机关) and the detention centres they run (看守所) as an agency type: what they send,
at which stages, on which articles of law."""

from adapters.police.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.police.schemas import ApplicationTransferSchema, PoliceDefenseNoticeSchema, PoliceDutyLawyerRequestSchema
from gateway.contracts.agency import AgencyDeclaration, DemoAgency, Operation
from gateway.domain.enums import AgencyType, Kind, Stage
from gateway.rules.authorization import TRIAL, Permission, at

# The stages a detention centre holds a detainee for: investigation, review for prosecution and trial.
_HELD = at(Stage.INVESTIGATION, Stage.REVIEW_FOR_PROSECUTION, *TRIAL)

# Its row of the authorization matrix: the kinds it sends, at which stages, on which articles of law.
PERMISSIONS = {
    # CPL 19: the police investigate; a bureau notifies in investigation only.
    Kind.NOTIFY_DEFENSE: Permission(at(Stage.INVESTIGATION), "LAL 25, 36; CPL 19, 35"),
    # CPL 36 ¶2: the detention centre (看守所, run by the police) tells a detainee without a defender of the
    # duty lawyer and arranges the meeting, at every stage it holds him.
    Kind.DUTY_LAWYER: Permission(_HELD, "LAL 37; CPL 36"),
    # LAL 39: the detention facility (看守所, run by the police) forwards a detainee's application at every
    # stage it holds him for.
    Kind.APPLICATION_TRANSFER: Permission(_HELD, "LAL 39; CPL 35"),
}

AGENCY = AgencyDeclaration(
    type=AgencyType.POLICE,
    name="公安机关",
    description="Police and detention centres (公安机关, 看守所)",
    service_title="Legal Aid Gateway: the police and detention centres' service (公安机关, 看守所)",
    permissions=PERMISSIONS,
    operations=(
        Operation(
            Kind.NOTIFY_DEFENSE,
            "defense-notices",
            "NotifyDefense",
            PoliceDefenseNoticeSchema,
            defense_notice_to_submission,
            "Notify the legal aid centre to assign a defender for a suspect in investigation (通知辩护, LAL 25, 36).",
        ),
        Operation(
            Kind.APPLICATION_TRANSFER,
            "application-transfers",
            "TransferApplication",
            ApplicationTransferSchema,
            application_transfer_to_submission,
            "Forward a detainee's own legal aid application within 24 hours (转交申请, LAL 39).",
            noun="transfer",
        ),
        Operation(
            Kind.DUTY_LAWYER,
            "duty-lawyer-requests",
            "RequestDutyLawyer",
            PoliceDutyLawyerRequestSchema,
            duty_request_to_submission,
            "Ask for a duty lawyer for a detainee (LAL 30, 37).",
            noun="request",
        ),
    ),
    field_names=FIELD_NAMES,
    reference_name="reference_number",
    callback_runner="a police bureau or detention centre",
    demo=DemoAgency("police-370203", "青岛市公安局市北分局", "370203"),
)
