"""A request's page: the normalized data, the original message, the timeline, the deadline, related requests."""

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, render_template
from lxml import etree

from gateway.contracts import labels as L
from gateway.contracts.hardened import PARSER
from gateway.domain.enums import Kind, RequestState
from gateway.domain.lifecycle import Event, TransitionRefused, next_state
from gateway.domain.staff import StaffMember
from gateway.rules.deadlines import CHINA_TZ as CHINA
from gateway.service.ports import RawPayload
from gateway.service.request_status import answers_in_force
from gateway.store.access_log import DOCUMENT, ORIGINAL, PARTICULARS
from gateway.store.console import AuditEntry, CaseRow
from gateway.web.console.access import lines as access_lines
from gateway.web.console.access import record_view
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.console.casefile import application_facts, case_card, case_facts, person_facts
from gateway.web.console.timeline import build_timeline
from gateway.web.context import services

FORM_KEY = re.compile(r"[0-9a-f]{32}")  # a uuid4 in hex: one per rendered form, its idempotency key

# The forms a request may show, by the lifecycle event each one causes.
ACTIONS = {
    "appointment": Event.ASSIGNED,
    "decision": Event.GRANTED,
    "replacement": Event.REPLACED,
    "termination": Event.TERMINATED,
    "objection": Event.OBJECTION_UPHELD,
    "materials_request": Event.MATERIALS_REQUESTED,
}


@dataclass
class FormState:
    """A form sent back with what was typed and what was wrong (per field, as the API names fields)."""

    action: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None


def visible_case(request_id: str) -> CaseRow:
    """The request if the signed-in member may see it: 404 if there is none, 403 if it is another centre's."""
    row = services().console.case(request_id)
    if row is None:
        abort(404)
    if not current_member().may_see(row.request.centre_code):
        abort(403)
    return row


# Answers given once (LAL 43 ¶2: materials asked for once; LAL 49: one objection decided per decision).
_ONCE = {"materials_request": ("materials_requested",), "objection": ("objection_upheld",)}


def _done_once(action: str, trail: list[AuditEntry]) -> bool:
    """Whether a once-only answer was given since the decision it answers (a refusal or a termination)."""
    events = [entry.event for entry in trail]
    closing = max((i for i, event in enumerate(events) if event in ("declined", "terminated")), default=-1)
    since = events if action == "materials_request" else events[closing + 1 :]
    return any(event in _ONCE.get(action, ()) for event in since)


def open_actions(kind: Kind, state: RequestState) -> list[str]:
    """The answers the lifecycle allows the centre now."""
    allowed = []
    for action, event in ACTIONS.items():
        try:
            next_state(kind, state, event)
        except TransitionRefused:
            continue
        allowed.append(action)
    return allowed


def render_case(row: CaseRow, form: FormState | None = None, status: int = 200) -> tuple[str, int]:
    """The request's page, with a form sent back when one failed."""
    member = current_member()
    found = services()
    stored = row.request
    names = found.console.agency_names()
    notices = [
        (delivery, found.deliveries.attempts(delivery.id)) for delivery in found.deliveries.find(request_id=stored.id)
    ]
    trail = found.console.audit_entries(stored.id)
    original = original_message(found.requests.raw_payload(stored.id), member, found.retention.days)
    record_view([stored.id], [PARTICULARS] + ([ORIGINAL] if original.text is not None else []))
    page = render_template(
        "console/request.html",
        card=case_card(row, member, names),
        person=person_facts(row.canonical, member),
        case=case_facts(row.canonical),
        application=application_facts(row.canonical),
        canonical=row.canonical,
        original=original,
        access=access_lines(found.access_log.of_request(stored.id)) if member.sees_reports() else None,
        legal_hold=found.retention.hold(stored.id),
        timeline=build_timeline(trail, notices, names),
        documents=found.documents.of_request(stored.id),
        may_open_documents=member.personal_data,
        answers=answers_in_force(stored, found.requests.latest_answers(stored.id)),
        related=related_cards(row.canonical.get("related", []), member, names),
        actions=[action for action in open_actions(stored.kind, stored.state) if not _done_once(action, trail)],
        form=form,
        form_key=_form_key(form),
        now=found.clock.now(),
    )
    return page, status


def _form_key(form: FormState | None) -> str:
    """The key the forms carry: the one sent back after an error (so a later success is still applied once)."""
    sent = form.values.get("form_key", "") if form else ""
    return sent if FORM_KEY.fullmatch(sent) else uuid.uuid4().hex


@dataclass(frozen=True)
class Original:
    """The message as the agency sent it, pretty-printed, or why it is not shown."""

    media_type: str
    text: str | None
    withheld: str | None = None
    purged: bool = False


def original_message(raw: RawPayload | None, member: StaffMember, retention_days: int) -> Original:
    """The raw message, laid out for reading; withheld from those who may not see personal data; or when
    the retention policy purged it."""
    if raw is None:
        return Original("", None, "未保存原始报文")
    if raw.purged_at is not None:
        purged = raw.purged_at.astimezone(CHINA).date().isoformat()
        return Original(
            raw.content_type,
            None,
            f"原始报文已于 {purged} 按保存期限政策（收到后 {retention_days} 天）清除；规范化数据和办理记录仍然保留。",
            purged=True,
        )
    if not member.personal_data:
        return Original(raw.content_type, None, "原始报文含当事人个人信息，需具有个人信息查看权限的账户才能查看。")
    return Original(raw.content_type, pretty(raw))


def pretty(raw: RawPayload) -> str:
    """JSON indented, XML re-indented (through the hardened parser); anything else as it came."""
    text = raw.body.decode("utf-8", errors="replace")
    try:
        if "json" in raw.content_type:
            return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        if "xml" in raw.content_type:
            root = etree.fromstring(raw.body, PARSER)
            return str(etree.tostring(root, pretty_print=True, encoding="unicode"))
    except (ValueError, etree.XMLSyntaxError):
        pass
    return text


def related_cards(related: list[dict[str, Any]], member: StaffMember, names: dict[str, str]) -> list[dict[str, Any]]:
    """The same person's requests at other stages, or the other persons of the same document: in full where
    the member may open them, otherwise only what the status resource tells a centre (the relation, the kind
    and the agency), never another centre's case number or progress."""
    lines = []
    for link in related:
        row = services().console.case(str(link.get("id")))
        if row is None:
            continue
        openable = member.may_see(row.request.centre_code)
        lines.append(
            {
                "id": row.request.id,
                "relation": L.label(L.RELATIONS, str(link.get("relation"))),
                "kind": L.label(L.KINDS, row.request.kind.value),
                "agency": names.get(row.request.agency_code, row.request.agency_code),
                "state": L.label(L.STATES, row.request.state.value) if openable else None,
                "case_number": row.request.case_number if openable else None,
                "openable": openable,
            }
        )
    return lines


@blp.get("/requests/<request_id>")
@requires(StaffMember.reads_cases)
def request_page(request_id: str) -> tuple[str, int]:
    """One request's page."""
    return render_case(visible_case(request_id))


@blp.get("/requests/<request_id>/documents/<document_id>", endpoint="document")
@requires(lambda member: member.reads_cases() and member.personal_data)
def document_page(request_id: str, document_id: str) -> Response:
    """An official document of the request, to read and print (it names the person: its opening is recorded)."""
    visible_case(request_id)
    document = services().documents.get(request_id, document_id)
    if document is None or document.content is None:
        abort(404)
    record_view([request_id], [DOCUMENT])
    return Response(
        document.content,
        mimetype=document.media_type,
        headers={"Content-Disposition": f'inline; filename="{document.id}.pdf"', "Cache-Control": "private, no-store"},
    )
