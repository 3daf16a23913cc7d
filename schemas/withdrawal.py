"""An agency's withdrawal of its own notice or request."""

from marshmallow import Schema, fields

from gateway.domain.enums import WithdrawalReason
from schemas.fields import text


class WithdrawalSchema(Schema):
    """Why the agency takes the notice back (e.g. the person retained a lawyer, LAL 48)."""

    reason = fields.Enum(WithdrawalReason, by_value=True, required=True)
    note = text(500)
