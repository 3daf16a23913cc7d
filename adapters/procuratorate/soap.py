"""The procuratorate's SOAP service: NotifyDefense, RequestDutyLawyer, TransferApplication, GetStatus, Withdraw."""

from lxml import etree

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
from gateway.contracts.xsd import OperationContract
from gateway.domain.enums import AgencyType
from gateway.web.soap.call import SoapCall
from gateway.web.soap.service import SoapService
from schemas.soap import SoapReceiptSchema

service = SoapService(
    name="procuratorate",
    agency_type=AgencyType.PROCURATORATE,
    namespace="urn:legal-aid-gateway:procuratorate:1",
    title="Legal Aid Gateway: the people's procuratorates' service (人民检察院)",
    package="adapters.procuratorate.wsdl",
)

NOTIFY_DEFENSE = OperationContract(
    "NotifyDefense",
    ProcuratorateDefenseNoticeSchema,
    SoapReceiptSchema,
    "Notify the legal aid centre to assign a defence lawyer (LAL 25, 36).",
    example="procuratorate/defense-notices.json",
)
REQUEST_DUTY_LAWYER = OperationContract(
    "RequestDutyLawyer",
    DutyLawyerRequestSchema,
    SoapReceiptSchema,
    "Ask for a duty lawyer, e.g. at the signing of a plea agreement (LAL 30, CPL 174).",
    example="procuratorate/duty-lawyer-requests.json",
)

TRANSFER_APPLICATION = OperationContract(
    "TransferApplication",
    ProcuratorateApplicationTransferSchema,
    SoapReceiptSchema,
    "Forward a detained suspect's own legal aid application within 24 hours (转交申请, LAL 39).",
    example="procuratorate/application-transfers.json",
)


@service.operation(NOTIFY_DEFENSE)
def notify_defense(call: SoapCall) -> etree._Element:
    """A procuratorate's notify-defense notice, through the same mapping and intake as REST."""
    return call.accept(defense_notice_to_submission(call.load()), FIELD_NAMES)


@service.operation(REQUEST_DUTY_LAWYER)
def request_duty_lawyer(call: SoapCall) -> etree._Element:
    """A procuratorate's duty-lawyer request, through the same mapping and intake as REST."""
    return call.accept(duty_request_to_submission(call.load()), FIELD_NAMES)


@service.operation(TRANSFER_APPLICATION)
def transfer_application(call: SoapCall) -> etree._Element:
    """A procuratorate's forwarded application, through the same mapping and intake as REST."""
    return call.accept(application_transfer_to_submission(call.load()), FIELD_NAMES)
