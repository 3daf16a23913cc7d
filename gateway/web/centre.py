"""The legal aid centre's side of the API: appointments, decisions, replacements, terminations, objections."""

from collections.abc import Callable
from typing import Any

from flask import request

from gateway.domain.model import Agency, Appointment, Decision, MaterialsRequest, ObjectionDecision, Termination
from gateway.service.request_status import status_of
from gateway.web.auth import current_agency
from gateway.web.context import services
from gateway.web.json_body import Blueprint
from gateway.web.links import linked_responses
from gateway.web.status import status_body
from schemas.answers import (
    AppointmentSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    ReplacementSchema,
    TerminationSchema,
)
from schemas.receipt import StatusSchema

blp = Blueprint(
    "centre", __name__, url_prefix="/api/v1/requests", description="Legal aid centres answer (法律援助中心)"
)

_IDEMPOTENCY = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 60},
            "description": "A key of the centre's choosing: a repeat with the same key is applied once",
        }
    ]
}

_LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
    "years_of_practice": 6,
}


@blp.post("/<request_id>/appointment")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(AppointmentSchema, example={"lawyer": _LAWYER, "appointed_at": "2026-11-26T10:00:00+08:00"})
@blp.response(200, StatusSchema, description="Assigned; the agency will be told through its callback")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="The request cannot be assigned in its state")
def appoint(appointment: Appointment, request_id: str) -> dict[str, Any]:
    """Appoint a lawyer (LAL 36: assign and inform the agency within 3 days); a duty lawyer with place and time."""
    return _answered(request_id, lambda centre, key: services().answers.appoint(centre, request_id, appointment, key))


@blp.post("/<request_id>/decision")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(
    DecisionSchema,
    example={
        "outcome": "refused",
        "decided_at": "2026-11-27T10:00:00+08:00",
        "reason_code": "hardship_not_met",
        "reason": "申请人经济状况不符合经济困难标准",
    },
)
@blp.response(200, StatusSchema, description="Decided; the agency will be told through its callback")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="Only an open application can be decided")
def decide(decision: Decision, request_id: str) -> dict[str, Any]:
    """Grant or refuse an application (LAL 43: within 7 days); a grant starts 3 days to assign a lawyer."""
    return _answered(request_id, lambda centre, key: services().answers.decide(centre, request_id, decision, key))


@blp.post("/<request_id>/replacement")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(
    ReplacementSchema,
    example={"lawyer": _LAWYER, "appointed_at": "2026-11-28T10:00:00+08:00", "replacement_reason": "refused_by_person"},
)
@blp.response(200, StatusSchema, description="Replaced; the agency will be told through its callback")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="Only an assigned request can have its lawyer replaced")
def replace(appointment: Appointment, request_id: str) -> dict[str, Any]:
    """A new lawyer replaces the appointed one (更换法律援助人员: refused by the person, conflict …)."""
    return _answered(request_id, lambda centre, key: services().answers.appoint(centre, request_id, appointment, key))


@blp.post("/<request_id>/termination")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(
    TerminationSchema,
    example={
        "ground": "lawyer_retained",
        "terminated_at": "2026-12-01T10:00:00+08:00",
        "reason": "受援人已自行委托辩护律师",
    },
)
@blp.response(200, StatusSchema, description="Terminated; the agency will be told through its callback")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="Only aid under way (granted, or a lawyer assigned) can be terminated")
def terminate(termination: Termination, request_id: str) -> dict[str, Any]:
    """End the aid on a ground of LAL 48 (终止法律援助); the agency is told, as of an appointment."""
    return _answered(request_id, lambda centre, key: services().answers.terminate(centre, request_id, termination, key))


@blp.post("/<request_id>/materials-request")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(
    MaterialsRequestSchema,
    example={
        "requested_at": "2026-11-26T10:00:00+08:00",
        "items": ["家庭成员收入证明", "对申报收入的书面说明"],
        "supply_by": "2026-12-03T17:00:00+08:00",
    },
)
@blp.response(200, StatusSchema, description="Asked; the forwarding agency will be told through its callback")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="Only an open application, and only once")
def request_materials(materials: MaterialsRequest, request_id: str) -> dict[str, Any]:
    """补充材料通知 (LAL 43 ¶2): tell the applicant once what is missing; the review waits for it."""
    return _answered(
        request_id, lambda centre, key: services().answers.request_materials(centre, request_id, materials, key)
    )


@blp.post("/<request_id>/objection")
@blp.doc(**_IDEMPOTENCY)
@blp.arguments(
    ObjectionDecisionSchema,
    example={
        "lodged_at": "2026-12-01T09:00:00+08:00",
        "decided_at": "2026-12-04T16:00:00+08:00",
        "outcome": "corrected",
        "document_number": "青司法异〔2026〕12号",
    },
)
@blp.response(200, StatusSchema, description="Recorded; corrected, the request is open again; the agency is told")
@blp.doc(**linked_responses(200))
@blp.alt_response(404, description="No request with this id was routed to the caller")
@blp.alt_response(409, description="Only a refusal or a termination is objected to, once")
def record_objection(objection: ObjectionDecision, request_id: str) -> dict[str, Any]:
    """The justice bureau's decision on an objection (LAL 49): upheld, or corrected with a new clock."""
    return _answered(
        request_id, lambda centre, key: services().answers.record_objection(centre, request_id, objection, key)
    )


def _answered(request_id: str, act: Callable[[Agency, str | None], object]) -> dict[str, Any]:
    """Apply the answer; with an `Idempotency-Key` header a repeat (e.g. after a timeout) answers the same."""
    centre = current_agency()
    key = request.headers.get("Idempotency-Key")
    act(centre, f"rest:{centre.code}:{key[:60]}" if key else None)
    return status_body(status_of(services().requests, request_id, centre))
