"""Staff answer a request: appoint a lawyer, decide an application, replace a lawyer, end the aid.

The forms go through the API's own schemas and use cases, so they refuse what the API refuses with the
same messages, and the agency is told through the same delivery path.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import flash, redirect, request, url_for
from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Response as BaseResponse

from gateway.domain.model import Agency
from gateway.domain.staff import StaffMember
from gateway.errors import GatewayError, InvalidInput
from gateway.rules.deadlines import CHINA_TZ as CHINA
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.console.form_messages import FORM_REFUSED, in_chinese, refusal_in_chinese
from gateway.web.console.request_page import FORM_KEY, FormState, render_case, visible_case
from gateway.web.context import services
from gateway.web.problems import flatten_messages
from schemas.answers import (
    AppointmentSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    ReplacementSchema,
    TerminationSchema,
)

LAWYER_FIELDS = ("name", "law_firm", "licence_number", "phone", "years_of_practice")
APPOINTMENT_FIELDS = ("appointed_at", "duty_place", "duty_time", "note")
DECISION_FIELDS = ("outcome", "decided_at", "reason_code", "reason")
TERMINATION_FIELDS = ("ground", "terminated_at", "reason")
OBJECTION_FIELDS = ("lodged_at", "decided_at", "outcome", "document_number", "note")
DATETIME_FIELDS = frozenset(
    {"appointed_at", "duty_time", "decided_at", "terminated_at", "lodged_at", "requested_at", "supply_by"}
)
DONE = {
    "appointment": "已指派律师，将通知办案机关。",
    "replacement": "已更换律师，将通知办案机关。",
    "decision": "已记录决定，将通知办案机关。",
    "termination": "已终止法律援助，将通知办案机关。",
    "objection": "已记录异议审查决定，将通知办案机关。",
    "materials_request": "已一次性告知需补充的材料，将通知办案机关转告申请人。",
}

Outcome = tuple[str, int] | BaseResponse


@blp.post("/requests/<request_id>/appointment")
@requires(StaffMember.reads_cases)
def appoint(request_id: str) -> Outcome:
    """Confirm the lawyer's appointment (LAL 36)."""
    return _answer(request_id, "appointment", AppointmentSchema(), _appointment_document(), _appoint)


@blp.post("/requests/<request_id>/replacement")
@requires(StaffMember.reads_cases)
def replace(request_id: str) -> Outcome:
    """Replace the appointed lawyer."""
    document = _appointment_document()
    document["replacement_reason"] = request.form.get("replacement_reason", "")
    return _answer(request_id, "replacement", ReplacementSchema(), document, _appoint)


@blp.post("/requests/<request_id>/decision")
@requires(StaffMember.reads_cases)
def decide(request_id: str) -> Outcome:
    """Record the decision on an application (LAL 43)."""
    document = {name: _form_value(name) for name in DECISION_FIELDS}
    return _answer(request_id, "decision", DecisionSchema(), _present(document), _decide)


@blp.post("/requests/<request_id>/termination")
@requires(StaffMember.reads_cases)
def terminate(request_id: str) -> Outcome:
    """End the aid on a ground of LAL 48."""
    document = {name: _form_value(name) for name in TERMINATION_FIELDS}
    return _answer(request_id, "termination", TerminationSchema(), _present(document), _terminate)


@blp.post("/requests/<request_id>/objection")
@requires(StaffMember.reads_cases)
def record_objection(request_id: str) -> Outcome:
    """Record the justice bureau's decision on an objection (LAL 49)."""
    document = {name: _form_value(name) for name in OBJECTION_FIELDS}
    return _answer(request_id, "objection", ObjectionDecisionSchema(), _present(document), _record_objection)


@blp.post("/requests/<request_id>/materials-request")
@requires(StaffMember.reads_cases)
def request_materials(request_id: str) -> Outcome:
    """Tell the applicant once what is missing (LAL 43 ¶2); one item per line."""
    document = _present({name: _form_value(name) for name in ("requested_at", "supply_by", "note")})
    items = [line.strip() for line in request.form.get("items", "").splitlines() if line.strip()]
    if items:
        document["items"] = items
    return _answer(request_id, "materials_request", MaterialsRequestSchema(), document, _request_materials)


def _request_materials(centre: Agency, request_id: str, answer: Any, key: str, actor: str) -> object:
    return services().answers.request_materials(centre, request_id, answer, key, actor=actor)


def _record_objection(centre: Agency, request_id: str, answer: Any, key: str, actor: str) -> object:
    return services().answers.record_objection(centre, request_id, answer, key, actor=actor)


def _appoint(centre: Agency, request_id: str, answer: Any, key: str, actor: str) -> object:
    return services().answers.appoint(centre, request_id, answer, key, actor=actor)


def _decide(centre: Agency, request_id: str, answer: Any, key: str, actor: str) -> object:
    return services().answers.decide(centre, request_id, answer, key, actor=actor)


def _terminate(centre: Agency, request_id: str, answer: Any, key: str, actor: str) -> object:
    return services().answers.terminate(centre, request_id, answer, key, actor=actor)


def _answer(
    request_id: str,
    action: str,
    schema: Schema,
    document: dict[str, Any],
    apply: Callable[[Agency, str, Any, str, str], object],
) -> Outcome:
    """Load the form through the API's schema and apply it as the centre; errors go back to the form."""
    row = visible_case(request_id)
    member = current_member()
    form = FormState(action, values={key: str(value) for key, value in request.form.items() if key != "csrf_token"})
    centre = services().agencies.by_code(row.request.centre_code)
    if centre is None:
        form.message = "该请求所属的法律援助中心未登记。"
        return render_case(row, form, 409)
    # One key per rendered form: a double click or a resend applies the answer once.
    form_key = form.values.get("form_key", "")
    if not FORM_KEY.fullmatch(form_key):
        form.message = "表单已失效，请刷新页面后重新填写。"
        return render_case(row, form, 400)
    key = f"console:{centre.code}:{form_key}"
    try:
        answer = schema.load(document)
        apply(centre, request_id, answer, key, member.actor)
    except ValidationError as exc:
        form.errors = in_chinese(flatten_messages(exc.messages))
        form.message = FORM_REFUSED
        return render_case(row, form, 422)
    except InvalidInput as exc:
        form.errors, form.message = in_chinese(exc.errors), FORM_REFUSED
        return render_case(row, form, exc.status)
    except GatewayError as exc:
        form.message = refusal_in_chinese(exc.code, exc.detail)
        return render_case(row, form, exc.status)
    flash(DONE[action])
    return redirect(url_for("console.request_page", request_id=request_id))


def _appointment_document() -> dict[str, Any]:
    lawyer = _present({name: _form_value(f"lawyer.{name}") for name in LAWYER_FIELDS})
    document = _present({name: _form_value(name) for name in APPOINTMENT_FIELDS})
    document["lawyer"] = lawyer
    return document


def _form_value(name: str) -> str:
    value = request.form.get(name, "").strip()
    field = name.rsplit(".", 1)[-1]
    return _with_offset(value) if field in DATETIME_FIELDS and value else value


def _with_offset(value: str) -> str:
    """A browser's local date and time (datetime-local) read as China time; anything else left to the schema."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).isoformat()


def _present(document: dict[str, str]) -> dict[str, Any]:
    """Empty fields are absent, as in the API's JSON."""
    return {key: value for key, value in document.items() if value != ""}
