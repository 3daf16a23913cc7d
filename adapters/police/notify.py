"""The way back to the police: the callback service it runs, in its own names."""

from marshmallow import fields

from gateway.domain.enums import AgencyType
from gateway.web.soap.service import SoapService
from gateway.web.soap.xsd import OperationContract
from schemas.notice import AcknowledgementSchema, AgencyReplySchema


class PoliceReplySchema(AgencyReplySchema):
    """The centre's reply, with the police's document number under its own name."""

    reference = fields.String(
        required=True, data_key="reference_number", metadata={"description": "the police's document number"}
    )


RECEIVE_REPLY = OperationContract(
    "ReceiveLegalAidReply",
    PoliceReplySchema,
    AcknowledgementSchema,
    "The legal aid centre's reply to a notice: the lawyer appointed or replaced, or the decision.",
)

callback_service = SoapService(
    name="police-callback",
    agency_type=AgencyType.POLICE,
    namespace="urn:legal-aid-gateway:police:callback:1",
    title="Legal Aid Gateway: the service a police bureau or detention centre runs to receive the centre's replies",
    package="adapters.police.wsdl",
    standard_operations=False,
)
callback_service.declare(RECEIVE_REPLY)
