"""The police and detention centres' SOAP service: NotifyDefense, TransferApplication, RequestDutyLawyer,
GetStatus, Withdraw."""

from lxml import etree

from adapters.police.mapping import (
    FIELD_NAMES,
    application_transfer_to_submission,
    defense_notice_to_submission,
    duty_request_to_submission,
)
from adapters.police.schemas import ApplicationTransferSchema, PoliceDefenseNoticeSchema, PoliceDutyLawyerRequestSchema
from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.web.soap.call import SoapCall
from gateway.web.soap.service import SoapService
from schemas.soap import SoapReceiptSchema

service = SoapService(
    name="police",
    agency_type=AgencyType.POLICE,
    namespace="urn:legal-aid-gateway:police:1",
    title="Legal Aid Gateway: the police and detention centres' service (公安机关, 看守所)",
    package="adapters.police.wsdl",
)

NOTIFY_DEFENSE = OperationContract(
    "NotifyDefense",
    PoliceDefenseNoticeSchema,
    SoapReceiptSchema,
    "Notify the legal aid centre to assign a defender for a suspect in investigation (通知辩护, LAL 25, 36).",
    example="police/defense-notices.json",
)
TRANSFER_APPLICATION = OperationContract(
    "TransferApplication",
    ApplicationTransferSchema,
    SoapReceiptSchema,
    "Forward a detainee's own legal aid application within 24 hours (转交申请, LAL 39).",
    example="police/application-transfers.json",
)
REQUEST_DUTY_LAWYER = OperationContract(
    "RequestDutyLawyer",
    PoliceDutyLawyerRequestSchema,
    SoapReceiptSchema,
    "Ask for a duty lawyer for a detainee (LAL 30, 37).",
    example="police/duty-lawyer-requests.json",
)


@service.operation(NOTIFY_DEFENSE)
def notify_defense(call: SoapCall) -> etree._Element:
    """A police notify-defense notice, through the same mapping and intake as REST."""
    return call.accept(defense_notice_to_submission(call.load()), FIELD_NAMES)


@service.operation(TRANSFER_APPLICATION)
def transfer_application(call: SoapCall) -> etree._Element:
    """A forwarded application, through the same mapping and intake as REST."""
    return call.accept(application_transfer_to_submission(call.load()), FIELD_NAMES)


@service.operation(REQUEST_DUTY_LAWYER)
def request_duty_lawyer(call: SoapCall) -> etree._Element:
    """A police duty-lawyer request, through the same mapping and intake as REST."""
    return call.accept(duty_request_to_submission(call.load()), FIELD_NAMES)
