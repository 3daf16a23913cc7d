"""What the SOAP services answer beyond the REST receipt and status: their XSD is written from these."""

from marshmallow import Schema, fields

from gateway.domain.enums import WithdrawalReason
from schemas.fields import text
from schemas.materials import MaterialsSupplySchema
from schemas.proof_of_service import ProofOfServiceSchema
from schemas.receipt import ReceiptSchema
from schemas.withdrawal import RefusesRelease, WithdrawalSchema


class SoapReceiptSchema(ReceiptSchema):
    """The receipt of a stored message; Created is false for a resend of one already stored."""

    created = fields.Boolean(required=True)


class StatusQuerySchema(Schema):
    """Which request to report on: the gateway id from the receipt."""

    request_id = text(36, required=True)


class WithdrawCallSchema(RefusesRelease):
    """Which request to withdraw, and why."""

    request_id = text(36, required=True)
    reason = fields.Enum(WithdrawalReason, by_value=True, required=True)
    note = WithdrawalSchema().fields["note"]


class ProofOfServiceCallSchema(Schema):
    """Which request's decision was served, and when."""

    request_id = text(36, required=True)
    served_at = ProofOfServiceSchema().fields["served_at"]


class SupplyMaterialsCallSchema(MaterialsSupplySchema):
    """Which request's missing materials, when, and the documents."""

    request_id = text(36, required=True)


class FaultErrorSchema(Schema):
    path = fields.String(required=True, metadata={"description": "XPath of the offending element"})
    message = fields.String(required=True)


class GatewayFaultSchema(Schema):
    """The detail of every SOAP Fault: a stable code (the REST problem type), a message, per-element errors."""

    code = fields.String(required=True, metadata={"description": "stable, machine-readable; see /problems/<code>"})
    type = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.List(fields.Nested(FaultErrorSchema), metadata={"xml_item": "Error"})
