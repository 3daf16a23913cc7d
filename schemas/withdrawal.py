"""An agency's withdrawal of its own notice or request."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load

from gateway.domain.enums import WithdrawalReason
from schemas.fields import text

RELEASED_IS_NO_GROUND = (
    "release is not a ground to end legal aid (LAL 48): a person released must still have a defender where the "
    "law makes one mandatory (LAL 25); withdraw for case_ended, retained_lawyer, or other with a note"
)


class RefusesRelease(Schema):
    """`released`, a reason this contract once listed, is refused with the law's reason rather than a bare enum
    error: an agency's system that still sends it learns what to send instead."""

    @pre_load
    def _released(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and data.get("reason") == "released":
            raise ValidationError({"reason": [RELEASED_IS_NO_GROUND]})
        return data


class WithdrawalSchema(RefusesRelease):
    """Why the agency takes the notice back (e.g. the person retained a lawyer, LAL 48)."""

    reason = fields.Enum(WithdrawalReason, by_value=True, required=True)
    note = text(500)
