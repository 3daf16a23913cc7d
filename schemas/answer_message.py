"""A centre's answer as a message on `legalaid.appointments` (`legalaid.answer/1`)."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from schemas.answers import (
    AppointmentSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    ReplacementSchema,
    TerminationSchema,
)

ANSWER_SCHEMA = "legalaid.answer/1"
_BODIES: dict[str, type[Schema]] = {
    "appointment": AppointmentSchema,
    "replacement": ReplacementSchema,
    "decision": DecisionSchema,
    "termination": TerminationSchema,
    "objection": ObjectionDecisionSchema,
    "materials_request": MaterialsRequestSchema,
}


class AnswerMessageSchema(Schema):
    """The envelope; `body` is an appointment, a replacement, a decision, a termination or an objection decision,
    as the REST API takes them.

    The AMQP `message_id` identifies the answer: a redelivery or a resend is applied once.
    """

    schema = fields.String(required=True, validate=validate.Equal(ANSWER_SCHEMA))
    type = fields.String(required=True, validate=validate.OneOf(sorted(_BODIES)))
    request_id = fields.String(required=True, validate=validate.Length(max=36))
    centre_code = fields.String(required=True, validate=validate.Length(max=32))
    body = fields.Dict(required=True)

    @post_load
    def _load_body(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        try:
            return {**data, "body": _BODIES[data["type"]]().load(data["body"])}
        except ValidationError as exc:
            raise ValidationError(exc.messages, "body") from exc
