"""What the gateway answers an agency: the receipt and the status of a request."""

from marshmallow import Schema, fields

from gateway.domain.enums import Kind, RequestState
from schemas.answers import (
    AppointmentRecordSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    TerminationSchema,
)
from schemas.canonical import RelatedSchema
from schemas.documents import DocumentReferenceSchema
from schemas.fields import ChinaDateTime


class DeadlineOutSchema(Schema):
    due_at = ChinaDateTime(required=True)
    obligation = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "the article of law that sets the period"})


class CompanionReceiptSchema(Schema):
    """The request made for another person the same document names, under `<reference>#2`, `#3` …"""

    id = fields.String(required=True, metadata={"description": "gateway id"})
    reference = fields.String(required=True)
    state = fields.Enum(RequestState, by_value=True, required=True)
    centre_code = fields.String(required=True)
    deadline = fields.Nested(DeadlineOutSchema, required=True)
    status_url = fields.String(required=True)


class ReceiptSchema(Schema):
    """Sent once the request is durably stored (202), or again for a resend (200)."""

    id = fields.String(required=True, metadata={"description": "gateway id"})
    kind = fields.Enum(Kind, by_value=True, required=True)
    state = fields.Enum(RequestState, by_value=True, required=True)
    centre_code = fields.String(required=True)
    deadline = fields.Nested(DeadlineOutSchema, required=True)
    status_url = fields.String(required=True)
    companions = fields.List(
        fields.Nested(CompanionReceiptSchema),
        metadata={
            "description": "only when the document names several persons: the requests made for the second and "
            "later persons, in the order named; each is tracked, answered and withdrawn on its own",
            "xml_item": "Companion",
        },
    )


class HistoryEntrySchema(Schema):
    at = ChinaDateTime(required=True)
    event = fields.String(required=True)
    state = fields.String(allow_none=True)


class StatusSchema(Schema):
    """A request's status as its sender may read it."""

    id = fields.String(required=True)
    kind = fields.Enum(Kind, by_value=True, required=True)
    state = fields.Enum(RequestState, by_value=True, required=True)
    reference = fields.String(required=True)
    case_number = fields.String(required=True)
    centre_code = fields.String(required=True)
    received_at = ChinaDateTime(required=True)
    updated_at = ChinaDateTime(required=True)
    deadline = fields.Nested(DeadlineOutSchema, required=True)
    history = fields.List(fields.Nested(HistoryEntrySchema), required=True, metadata={"xml_item": "Event"})
    appointment = fields.Nested(
        AppointmentRecordSchema, metadata={"description": "the lawyer appointed last (a replacement names its reason)"}
    )
    decision = fields.Nested(DecisionSchema, metadata={"description": "the decision on an application"})
    related = fields.List(
        fields.Nested(RelatedSchema),
        metadata={
            "description": "the same person's requests at earlier stages, or probable duplicates",
            "xml_item": "Request",
        },
    )
    flags = fields.List(
        fields.String(),
        metadata={
            "description": "what is unusual but lawful: late_notice, late_transfer, outside_usual_jurisdiction, "
            "calendar_unconfirmed (the deadline's year has no State Council holiday notice loaded yet) …",
            "xml_item": "Flag",
        },
    )
    # Declared last: a SOAP client built from an older WSDL still reads every status without a termination.
    termination = fields.Nested(
        TerminationSchema, metadata={"description": "the centre ended the aid on a ground of LAL 48"}
    )
    objection = fields.Nested(
        ObjectionDecisionSchema, metadata={"description": "the justice bureau's decision on an objection (LAL 49)"}
    )
    materials_request = fields.Nested(
        MaterialsRequestSchema, metadata={"description": "what the centre asked the applicant to supply (LAL 43)"}
    )
    # Last again, for the same reason: the documents came after the answers.
    issued_documents = fields.List(
        fields.Nested(DocumentReferenceSchema),
        metadata={
            "description": "法律文书 · the official documents the centre's decisions issued, by reference and digest",
            "xml_item": "IssuedDocument",
        },
    )
