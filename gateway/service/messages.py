"""What goes on the bus for an accepted request: the canonical body and its AMQP properties."""

import json
from datetime import datetime
from typing import Any

from gateway.domain.model import SCHEMA_VERSION, Attachment, LegalAidRequest, Withdrawal
from gateway.service.ports import OutboxMessage, StoredRequest
from gateway.tracing import TRACEPARENT, traceparent_or
from schemas.canonical import encode_request
from schemas.fields import china_iso

REQUESTS_EXCHANGE = "legalaid.requests"


REQUEST_ID_HEADER = "x-request-id"  # the agency's X-Request-Id, for tracing a notice across the systems


def request_message(
    request: LegalAidRequest,
    correlation_id: str | None = None,
    request_id: str | None = None,
    traceparent: str | None = None,
) -> OutboxMessage:
    """The outbox row that carries a new request to the assignment queue."""
    headers = {"schema": SCHEMA_VERSION, "kind": request.kind.value, "centre": request.routing.centre_code}
    if traceparent:
        headers[TRACEPARENT] = traceparent
    return OutboxMessage(
        message_id=request.id,
        exchange=REQUESTS_EXCHANGE,
        routing_key=request.routing.routing_key,
        body=encode_request(request),
        headers=headers | ({REQUEST_ID_HEADER: request_id} if request_id else {}),
        correlation_id=correlation_id or request.id,
        request_id=request.id,
    )


WITHDRAWAL_SCHEMA = "legalaid.withdrawal/1"
MATERIALS_SCHEMA = "legalaid.materials/1"


def materials_message(stored: StoredRequest, supplied_at: datetime, documents: tuple[Attachment, ...]) -> OutboxMessage:
    """The outbox row that brings the centre what it asked for (LAL 43 ¶2): `materials.<centre>`."""
    body = {
        "schema": MATERIALS_SCHEMA,
        "request_id": stored.id,
        "kind": stored.kind.value,
        "agency_code": stored.agency_code,
        "reference": stored.reference,
        "supplied_at": china_iso(supplied_at),
        "documents": [
            {"title": doc.title, "uri": doc.uri, "sha256": doc.sha256, "media_type": doc.media_type}
            for doc in documents
        ],
    }
    # The centre asks once (LAL 43 ¶2), so materials come once.
    return _after_the_request("materials", stored.id, stored.centre_code, body)


def withdrawal_message(withdrawal: Withdrawal) -> OutboxMessage:
    """The outbox row that tells the centre to stop work: `withdrawal.<centre>` on the requests exchange."""
    body = {
        "schema": WITHDRAWAL_SCHEMA,
        "request_id": withdrawal.request_id,
        "kind": withdrawal.kind.value,
        "agency_code": withdrawal.agency_code,
        "reference": withdrawal.reference,
        "reason": withdrawal.reason.value,
        "note": withdrawal.note,
        "withdrawn_at": china_iso(withdrawal.at),
    }
    return _after_the_request("withdrawal", withdrawal.request_id, withdrawal.centre_code, body)


def _after_the_request(kind: str, request_id: str, centre_code: str, body: dict[str, Any]) -> OutboxMessage:
    """`<kind>.<centre>` on the requests exchange, about one request and once per request: the stable
    `<request id>.<kind>` lets the centre deduplicate a re-publish; the relay sends it after the request."""
    return OutboxMessage(
        message_id=f"{request_id}.{kind}",
        exchange=REQUESTS_EXCHANGE,
        routing_key=f"{kind}.{centre_code}",
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        headers={"schema": body["schema"], "kind": kind, "centre": centre_code},
        correlation_id=request_id,
        request_id=request_id,
    )


EVENTS_EXCHANGE = "legalaid.events"
EVENT_SCHEMA = "legalaid.event/1"


def event_message(
    message_id: str, routing_key: str, request: StoredRequest, at: datetime, extra: dict[str, Any] | None = None
) -> OutboxMessage:
    """A status event on `legalaid.events` (`request.assigned`, `deadline.at_risk` …) about one request."""
    body = {
        "schema": EVENT_SCHEMA,
        "event": routing_key,
        "request_id": request.id,
        "kind": request.kind.value,
        "centre_code": request.centre_code,
        "agency_code": request.agency_code,
        "at": china_iso(at),
        **(extra or {}),
    }
    return OutboxMessage(
        message_id=message_id,
        exchange=EVENTS_EXCHANGE,
        routing_key=routing_key,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        headers={"schema": EVENT_SCHEMA, "kind": request.kind.value, "centre": request.centre_code}
        | ({REQUEST_ID_HEADER: request.http_request_id} if request.http_request_id else {})
        | _trace_header(request),
        correlation_id=request.id,
        request_id=request.id,
    )


AUDIT_CHECKPOINT = "audit.checkpoint"


def checkpoint_message(count: int, head_hash: str, at: datetime) -> OutboxMessage:
    """`audit.checkpoint` on `legalaid.events`: the audit chain's length and newest hash, to keep elsewhere."""
    body = {"schema": EVENT_SCHEMA, "event": AUDIT_CHECKPOINT, "count": count, "head_hash": head_hash}
    body["at"] = china_iso(at)
    return OutboxMessage(
        message_id=f"{AUDIT_CHECKPOINT}.{count}",  # one per length of the chain
        exchange=EVENTS_EXCHANGE,
        routing_key=AUDIT_CHECKPOINT,
        body=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        headers={"schema": EVENT_SCHEMA, "kind": AUDIT_CHECKPOINT},
        correlation_id=head_hash,
    )


def _trace_header(request: StoredRequest) -> dict[str, str]:
    """The notice's trace on its events: the current span's when it continues that trace, else the intake's."""
    traceparent = traceparent_or(request.traceparent)
    return {TRACEPARENT: traceparent} if traceparent else {}
