"""The way back to the court: the callback service it runs, in its own names."""

from marshmallow import fields

from gateway.domain.enums import AgencyType
from gateway.web.soap.service import SoapService
from gateway.web.soap.xsd import OperationContract
from schemas.notice import AcknowledgementSchema, AgencyReplySchema


class CourtReplySchema(AgencyReplySchema):
    """The centre's reply, with the court's document number under its own name."""

    reference = fields.String(
        required=True, data_key="notice_number", metadata={"description": "the court's document number"}
    )


RECEIVE_REPLY = OperationContract(
    "ReceiveLegalAidReply",
    CourtReplySchema,
    AcknowledgementSchema,
    "The legal aid centre's reply to a notice: the lawyer appointed or replaced, or the decision.",
)

callback_service = SoapService(
    name="court-callback",
    agency_type=AgencyType.COURT,
    namespace="urn:legal-aid-gateway:court:callback:1",
    title="Legal Aid Gateway: the service a court runs to receive the centre's replies (法律援助公函)",
    package="adapters.court.wsdl",
    standard_operations=False,
)
callback_service.declare(RECEIVE_REPLY)
