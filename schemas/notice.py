"""What an agency is told back: the centre's answer to its notice, with a stable idempotency key."""

from marshmallow import Schema, fields

from schemas.answers import (
    AppointmentRecordSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    TerminationSchema,
)
from schemas.documents import DocumentReferenceSchema
from schemas.fields import ChinaDateTime


class AgencyReplySchema(Schema):
    """法律援助公函 back to the agency: the lawyer appointed, the decision on an application, or the end of the aid.

    The same `idempotency_key` comes with every retry of one notice: a receiver that has seen it
    has nothing more to do.
    """

    idempotency_key = fields.String(required=True)
    event = fields.String(
        required=True,
        metadata={
            "description": "assigned, replaced, granted, declined, terminated, objection_upheld, "
            "objection_corrected, materials_requested or deemed_withdrawn"
        },
    )
    request_id = fields.String(required=True, metadata={"description": "the gateway id from the receipt"})
    kind = fields.String(required=True)
    reference = fields.String(required=True, metadata={"description": "the agency's own document number"})
    case_number = fields.String(required=True)
    centre_code = fields.String(required=True)
    at = ChinaDateTime(required=True)
    appointment = fields.Nested(AppointmentRecordSchema)
    decision = fields.Nested(DecisionSchema)
    termination = fields.Nested(TerminationSchema)
    objection = fields.Nested(ObjectionDecisionSchema)
    materials_request = fields.Nested(MaterialsRequestSchema)
    document = fields.Nested(
        DocumentReferenceSchema,
        metadata={"description": "正式文书 · the official document the decision issued, by reference and digest"},
    )


class AcknowledgementSchema(Schema):
    """The agency's answer: it has the notice (a repeat is acknowledged the same)."""

    received = fields.Boolean(required=True)
