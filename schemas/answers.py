"""The centre's answers: an appointment, a decision on an application, a replacement."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, post_load, pre_load, validate, validates_schema

from gateway.domain.enums import (
    DecisionOutcome,
    ObjectionOutcome,
    RefusalReason,
    ReplacementReason,
    TerminationGround,
)
from gateway.domain.model import Appointment, Decision, Lawyer, MaterialsRequest, ObjectionDecision, Termination
from schemas.fields import PHONE_PATTERN, aware_datetime, text

LICENCE_PATTERN = r"^\d{17}$"  # 执业证号: 17 digits (shared/domain.md §4); only the shape is checked


class _AbsentNotNull(Schema):
    """Dumps leave out what is not set: absent, not null, as the document and the loaders have it."""

    @post_dump
    def _drop_none(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None}


class LawyerSchema(_AbsentNotNull):
    name = text(100, required=True)
    law_firm = text(200, required=True)
    licence_number = fields.String(
        required=True, validate=validate.Regexp(LICENCE_PATTERN, error="17 digits (执业证号)")
    )
    phone = fields.String(required=True, validate=validate.Regexp(PHONE_PATTERN))
    years_of_practice = fields.Integer(
        validate=validate.Range(min=0, max=70),
        metadata={"description": "required for life_or_death_penalty and death_penalty_review (LAL 26: ≥ 3)"},
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Lawyer:
        return Lawyer(**data)


class AppointmentSchema(_AbsentNotNull):
    """法律援助公函: the lawyer appointed; for a duty lawyer also where and when."""

    lawyer = fields.Nested(LawyerSchema, required=True)
    appointed_at = aware_datetime(required=True)
    duty_place = text(200, metadata={"description": "duty lawyer: where (required for duty_lawyer)"})
    duty_time = aware_datetime(metadata={"description": "duty lawyer: when (required for duty_lawyer)"})
    note = text(2000)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Appointment:
        return Appointment(**data)


class ReplacementSchema(AppointmentSchema):
    """更换法律援助人员通知书: a new lawyer replaces the appointed one."""

    replacement_reason = fields.Enum(ReplacementReason, by_value=True, required=True)


class AppointmentRecordSchema(AppointmentSchema):
    """An appointment as stored and reported: a replacement names its reason."""

    replacement_reason = fields.Enum(ReplacementReason, by_value=True)


class DecisionSchema(_AbsentNotNull):
    """给予 / 不予法律援助决定书: the decision on an application; a refusal needs its reasons (LAL 43)."""

    outcome = fields.Enum(DecisionOutcome, by_value=True, required=True)
    decided_at = aware_datetime(required=True)
    reason_code = fields.Enum(
        RefusalReason,
        by_value=True,
        metadata={"description": "required with a refusal: why (LAL 43); `other` is explained in `reason`"},
    )
    reason = text(2000, metadata={"description": "required with a refusal: the reasons, told in writing (LAL 43)"})

    @validates_schema
    def _refusal_has_reasons(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") is not DecisionOutcome.REFUSED:
            return
        missing = [name for name in ("reason_code", "reason") if not data.get(name)]
        if missing:
            raise ValidationError({name: ["a refusal needs reason_code and reason (LAL 43)"] for name in missing})

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Decision:
        return Decision(**data)


class DecisionRecordSchema(DecisionSchema):
    """A decision as stored: one recorded before the reasons were coded reads as `other`, its code kept in the text."""

    reason = text(2100)  # room for an older code before the reasons

    @pre_load
    def _older_code(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        code = data.get("reason_code")
        if code is None or code in RefusalReason._value2member_map_:
            return data
        reason = data.get("reason")
        return {**data, "reason_code": RefusalReason.OTHER.value, "reason": f"{code}：{reason}" if reason else code}


class TerminationSchema(_AbsentNotNull):
    """终止法律援助决定书: the centre ends the aid on one of the grounds of LAL 48, with its reasons."""

    ground = fields.Enum(
        TerminationGround,
        by_value=True,
        required=True,
        metadata={"description": "the ground of LAL 48 ¶1 (1)–(8) on which the aid ends"},
    )
    terminated_at = aware_datetime(required=True)
    reason = text(2000, required=True, metadata={"description": "the facts behind the ground, in writing"})

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Termination:
        return Termination(**data)


class MaterialsRequestSchema(_AbsentNotNull):
    """补充材料通知: the centre tells the applicant, once, what the application lacks (LAL 43 ¶2)."""

    requested_at = aware_datetime(required=True)
    items = fields.List(
        text(200),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "each document or explanation needed, in the words the applicant will read"},
    )
    supply_by = aware_datetime(
        required=True,
        metadata={"description": "the date the centre sets; not supplied by then, the application is deemed withdrawn"},
    )
    note = text(2000)

    @validates_schema
    def _after_the_request(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("requested_at") and data.get("supply_by") and data["supply_by"] <= data["requested_at"]:
            raise ValidationError("the applicant needs time: supply_by after requested_at", "supply_by")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> MaterialsRequest:
        return MaterialsRequest(**{**data, "items": tuple(data["items"])})


def dump_materials_request(request: MaterialsRequest) -> dict[str, Any]:
    """A materials request as JSON."""
    dumped: dict[str, Any] = MaterialsRequestSchema().dump(request)
    return dumped


class ObjectionDecisionSchema(_AbsentNotNull):
    """The justice bureau's decision on an objection (LAL 49), recorded by the centre it orders."""

    lodged_at = aware_datetime(required=True, metadata={"description": "when the person objected to the bureau"})
    decided_at = aware_datetime(required=True, metadata={"description": "when the bureau decided (LAL 49: in 5 days)"})
    outcome = fields.Enum(ObjectionOutcome, by_value=True, required=True)
    document_number = text(100, required=True, metadata={"description": "the bureau's document number (文号)"})
    note = text(2000)

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("lodged_at") and data.get("decided_at") and data["decided_at"] < data["lodged_at"]:
            raise ValidationError("the bureau decides after the objection is lodged", "decided_at")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> ObjectionDecision:
        return ObjectionDecision(**data)


def dump_objection(objection: ObjectionDecision) -> dict[str, Any]:
    """An objection decision as JSON."""
    dumped: dict[str, Any] = ObjectionDecisionSchema().dump(objection)
    return dumped


def dump_termination(termination: Termination) -> dict[str, Any]:
    """A termination as JSON."""
    dumped: dict[str, Any] = TerminationSchema().dump(termination)
    return dumped


def dump_appointment(appointment: Appointment) -> dict[str, Any]:
    """An appointment (or a replacement) as JSON."""
    dumped: dict[str, Any] = AppointmentRecordSchema().dump(appointment)
    return dumped


def dump_decision(decision: Decision) -> dict[str, Any]:
    """A decision as JSON."""
    dumped: dict[str, Any] = DecisionSchema().dump(decision)
    return dumped


def load_answer(
    kind: str, body: dict[str, Any]
) -> Appointment | Decision | Termination | ObjectionDecision | MaterialsRequest:
    """A stored answer ("appointment", "decision" or "termination") back as its object."""
    if kind == "decision":
        decision: Decision = DecisionRecordSchema().load(body)
        return decision
    if kind == "termination":
        termination: Termination = TerminationSchema().load(body)
        return termination
    if kind == "objection":
        objection: ObjectionDecision = ObjectionDecisionSchema().load(body)
        return objection
    if kind == "materials_request":
        materials: MaterialsRequest = MaterialsRequestSchema().load(body)
        return materials
    appointment: Appointment = AppointmentRecordSchema().load(body)
    return appointment
