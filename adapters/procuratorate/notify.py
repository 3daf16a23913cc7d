"""The way back to the procuratorate: the callback service it runs, in its own names."""

from marshmallow import fields

from gateway.domain.enums import AgencyType
from gateway.web.soap.service import SoapService
from gateway.web.soap.xsd import OperationContract
from schemas.notice import AcknowledgementSchema, AgencyReplySchema


class ProcuratorateReplySchema(AgencyReplySchema):
    """The centre's reply, with the procuratorate's document number under its own name."""

    reference = fields.String(
        required=True, data_key="document_number", metadata={"description": "the procuratorate's document number"}
    )


RECEIVE_REPLY = OperationContract(
    "ReceiveLegalAidReply",
    ProcuratorateReplySchema,
    AcknowledgementSchema,
    "The legal aid centre's reply to a notice: the lawyer appointed or replaced, or the decision.",
)

callback_service = SoapService(
    name="procuratorate-callback",
    agency_type=AgencyType.PROCURATORATE,
    namespace="urn:legal-aid-gateway:procuratorate:callback:1",
    title="Legal Aid Gateway: the service a procuratorate runs to receive the centre's replies (法律援助公函)",
    package="adapters.procuratorate.wsdl",
    standard_operations=False,
)
callback_service.declare(RECEIVE_REPLY)
