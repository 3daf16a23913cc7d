"""The operation an agency type's callback service runs to hear back, built from its declaration:
ReceiveLegalAidReply, with the agency's own name for its document number."""

from marshmallow import fields

from gateway.contracts.agency import AgencyDeclaration
from gateway.contracts.xsd import OperationContract
from schemas.notice import AcknowledgementSchema, AgencyReplySchema


def reply_contract(agency: AgencyDeclaration) -> OperationContract:
    """The operation the gateway calls on the agency's callback service."""
    schema = type(
        f"{agency.type.title().replace('_', '')}ReplySchema",
        (AgencyReplySchema,),
        {
            "__doc__": f"The centre's reply, with the {_who(agency)}'s document number under its own name.",
            "reference": fields.String(
                required=True,
                data_key=agency.reference_name,
                metadata={"description": f"the {_who(agency)}'s document number"},
            ),
        },
    )
    return OperationContract(
        "ReceiveLegalAidReply",
        schema,
        AcknowledgementSchema,
        "The legal aid centre's reply to a notice: the lawyer appointed or replaced, or the decision.",
    )


def _who(agency: AgencyDeclaration) -> str:
    return agency.type.value.replace("_", " ")
