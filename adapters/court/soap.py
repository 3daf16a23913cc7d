"""The court's SOAP service: NotifyDefense, RequestDutyLawyer, TransferApplication, GetStatus, Withdraw."""

from lxml import etree

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
from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.web.soap.call import SoapCall
from gateway.web.soap.service import SoapService
from schemas.soap import SoapReceiptSchema

service = SoapService(
    name="court",
    agency_type=AgencyType.COURT,
    namespace="urn:legal-aid-gateway:court:1",
    title="Legal Aid Gateway: the people's courts' service (人民法院)",
    package="adapters.court.wsdl",
)

NOTIFY_DEFENSE = OperationContract(
    "NotifyDefense",
    CourtDefenseNoticeSchema,
    SoapReceiptSchema,
    "Notify the legal aid centre to assign a defence lawyer (通知辩护, LAL 25, 36).",
    example="court/defense-notices.json",
)

REQUEST_DUTY_LAWYER = OperationContract(
    "RequestDutyLawyer",
    CourtDutyLawyerRequestSchema,
    SoapReceiptSchema,
    "Ask for a duty lawyer for a defendant without a defender, e.g. at a fast-track trial (LAL 30, 37).",
    example="court/duty-lawyer-requests.json",
)

TRANSFER_APPLICATION = OperationContract(
    "TransferApplication",
    CourtApplicationTransferSchema,
    SoapReceiptSchema,
    "Forward a detained defendant's own legal aid application within 24 hours (转交申请, LAL 39).",
    example="court/application-transfers.json",
)


@service.operation(NOTIFY_DEFENSE)
def notify_defense(call: SoapCall) -> etree._Element:
    """A court's notify-defense notice, through the same mapping and intake as REST."""
    return call.accept(defense_notice_to_submission(call.load()), FIELD_NAMES)


@service.operation(REQUEST_DUTY_LAWYER)
def request_duty_lawyer(call: SoapCall) -> etree._Element:
    """A court's duty-lawyer request, through the same mapping and intake as REST."""
    return call.accept(duty_request_to_submission(call.load()), FIELD_NAMES)


@service.operation(TRANSFER_APPLICATION)
def transfer_application(call: SoapCall) -> etree._Element:
    """A court's forwarded application, through the same mapping and intake as REST."""
    return call.accept(application_transfer_to_submission(call.load()), FIELD_NAMES)
