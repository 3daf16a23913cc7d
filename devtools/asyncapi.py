"""The bus contract as an AsyncAPI 3.0 document, its payloads written from the marshmallow schemas of the code.

AMQP basic properties (message_id, correlation_id, content_type, delivery_mode …) are not application headers,
so each message states them as a JSON Schema under `x-amqp-properties`; a queue's arguments and the bindings
that fill it, for which the AMQP binding object has no field, are under `x-amqp-queue-arguments` and
`x-amqp-bindings` of its channel.
"""

import inspect
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from adapters.registry import type_names
from gateway.contracts.glossary import describe
from gateway.domain.enums import Kind, RequestState, WithdrawalReason
from gateway.domain.lifecycle import Event
from gateway.domain.model import SCHEMA_VERSION
from gateway.messaging.answers_consumer import MAX_MESSAGE_ID
from gateway.messaging.publisher import PERSISTENT_DELIVERY_MODE
from gateway.messaging.topology import (
    APPOINTMENTS_QUEUE,
    ASSIGNMENT_QUEUE,
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_QUEUE,
    DELIVERY_LIMIT,
    assignment_bindings,
)
from gateway.service.messages import (
    AUDIT_CHECKPOINT,
    EVENT_SCHEMA,
    EVENTS_EXCHANGE,
    MATERIALS_SCHEMA,
    REQUEST_ID_HEADER,
    REQUESTS_EXCHANGE,
    WITHDRAWAL_SCHEMA,
)
from gateway.service.ports import AT_RISK, MISSED, OutboxMessage
from gateway.tracing import TRACEPARENT
from schemas.answer_message import AnswerMessageSchema
from schemas.answers import (
    AppointmentSchema,
    DecisionSchema,
    MaterialsRequestSchema,
    ObjectionDecisionSchema,
    ReplacementSchema,
    TerminationSchema,
)
from schemas.canonical import CanonicalRequestSchema
from schemas.fields import ChinaDateTime

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
PLACEHOLDER_HOST = "rabbitmq.example.invalid:5672"
SCHEMAS = "#/components/schemas/"
PERSISTENT = PERSISTENT_DELIVERY_MODE
# The relay moves a request to `queued` without an event; every other lifecycle event is published.
REQUEST_EVENTS = [f"request.{event.value}" for event in Event if event is not Event.QUEUED]
DEADLINE_EVENTS = [f"deadline.{which}" for which in (AT_RISK, MISSED)]
# The answer types AnswerMessageSchema takes, and the schema it loads each one's `body` with.
ANSWER_BODIES: dict[str, type[Schema]] = {
    "appointment": AppointmentSchema,
    "decision": DecisionSchema,
    "replacement": ReplacementSchema,
    "termination": TerminationSchema,
    "objection": ObjectionDecisionSchema,
    "materials_request": MaterialsRequestSchema,
}
# The example request: the court's sample notice, received on a Monday at 09:30 China time.
EXAMPLE_NOTICE = "court/defense-notices.json"
EXAMPLE_RECEIVED_AT = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
EXAMPLE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, f"examples/{EXAMPLE_NOTICE}"))


class WithdrawalMessageSchema(Schema):
    """`legalaid.withdrawal/1`: the agency took its request back (a retained lawyer, LAL 48 …); stop work."""

    schema = fields.String(required=True, validate=validate.Equal(WITHDRAWAL_SCHEMA))
    request_id = fields.String(required=True, metadata={"description": "the gateway id of the withdrawn request"})
    kind = fields.Enum(Kind, by_value=True, required=True)
    agency_code = fields.String(required=True)
    reference = fields.String(required=True, metadata={"description": "the agency's own reference"})
    reason = fields.Enum(WithdrawalReason, by_value=True, required=True)
    note = fields.String(required=True, allow_none=True, metadata={"description": "required for reason `other`"})
    withdrawn_at = ChinaDateTime(required=True, format="iso")


class DocumentSchema(Schema):
    """A document held by the agency, by URL and SHA-256 digest: documents never ride on the bus."""

    title = fields.String(required=True)
    uri = fields.String(required=True)
    sha256 = fields.String(required=True)
    media_type = fields.String(required=True, allow_none=True)


class MaterialsMessageSchema(Schema):
    """`legalaid.materials/1`: the missing materials the centre asked for once (LAL 43 ¶2); the review resumes."""

    schema = fields.String(required=True, validate=validate.Equal(MATERIALS_SCHEMA))
    request_id = fields.String(required=True, metadata={"description": "the gateway id of the application"})
    kind = fields.Enum(Kind, by_value=True, required=True)
    agency_code = fields.String(required=True)
    reference = fields.String(required=True, metadata={"description": "the agency's own reference"})
    supplied_at = ChinaDateTime(required=True, format="iso")
    documents = fields.List(fields.Nested(DocumentSchema), required=True)


class RequestEventSchema(Schema):
    """`legalaid.event/1` on `request.<event>`: a request moved in its lifecycle."""

    schema = fields.String(required=True, validate=validate.Equal(EVENT_SCHEMA))
    event = fields.String(required=True, validate=validate.OneOf(REQUEST_EVENTS), metadata={"description": "its key"})
    request_id = fields.String(required=True)
    kind = fields.Enum(Kind, by_value=True, required=True)
    centre_code = fields.String(required=True)
    agency_code = fields.String(required=True, metadata={"description": "the agency that sent the request"})
    at = ChinaDateTime(required=True, format="iso")


class DeadlineEventSchema(RequestEventSchema):
    """`legalaid.event/1` on `deadline.at_risk` (the lead time before) or `deadline.missed`: once per deadline."""

    event = fields.String(required=True, validate=validate.OneOf(DEADLINE_EVENTS), metadata={"description": "its key"})
    due_at = ChinaDateTime(required=True, format="iso")
    obligation = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "the article of law the deadline rests on"})
    state = fields.Enum(RequestState, by_value=True, required=True)


class AuditCheckpointSchema(Schema):
    """`legalaid.event/1` on `audit.checkpoint`: the audit chain's length and newest hash, to keep elsewhere.

    Keep these outside the gateway's store (a subscriber's own log); `lagw audit verify --contains
    <count>:<head_hash>` then shows whether the store's chain still holds that record at that place.
    """

    schema = fields.String(required=True, validate=validate.Equal(EVENT_SCHEMA))
    event = fields.String(required=True, validate=validate.Equal(AUDIT_CHECKPOINT))
    count = fields.Integer(required=True, metadata={"description": "records on the chain, the newest included"})
    head_hash = fields.String(
        required=True, metadata={"description": "SHA-256 (hex) of the newest record, the chain's place `count`"}
    )
    at = ChinaDateTime(required=True, format="iso", metadata={"description": "when the checkpoint was made"})


@dataclass(frozen=True)
class GatewayMessage:
    """A message the relay publishes: its payload schema, `schema` and `kind` headers, and AMQP properties."""

    name: str
    summary: str
    payload: type[Schema]
    schema_id: str
    kinds: list[str]
    correlated_by: str  # the payload field whose value the correlation_id repeats
    message_id: str  # what the message_id is, for deduplication
    traced: bool = True  # carries the agency call's X-Request-Id when known
    for_a_centre: bool = True  # about one centre's request: a `centre` header


KINDS = [kind.value for kind in Kind]
GATEWAY_MESSAGES = (
    GatewayMessage(
        name="request",
        summary="A new request for the centre",
        payload=CanonicalRequestSchema,
        schema_id=SCHEMA_VERSION,
        kinds=KINDS,
        correlated_by="id",
        message_id="the gateway id",
    ),
    GatewayMessage(
        name="withdrawal",
        summary="The agency withdrew a request",
        payload=WithdrawalMessageSchema,
        schema_id=WITHDRAWAL_SCHEMA,
        kinds=["withdrawal"],
        correlated_by="request_id",
        message_id="`<request id>.withdrawal`: a request is withdrawn once",
        traced=False,
    ),
    GatewayMessage(
        name="materials",
        summary="The applicant supplied the missing materials",
        payload=MaterialsMessageSchema,
        schema_id=MATERIALS_SCHEMA,
        kinds=["materials"],
        correlated_by="request_id",
        message_id="`<request id>.materials`: asked for once, supplied once",
        traced=False,
    ),
    GatewayMessage(
        name="requestEvent",
        summary="A request changed state",
        payload=RequestEventSchema,
        schema_id=EVENT_SCHEMA,
        kinds=KINDS,
        correlated_by="request_id",
        message_id="a new UUID per event",
    ),
    GatewayMessage(
        name="deadlineEvent",
        summary="A legal deadline is near or has passed",
        payload=DeadlineEventSchema,
        schema_id=EVENT_SCHEMA,
        kinds=KINDS,
        correlated_by="request_id",
        message_id="`<request id>.deadline.<at_risk|missed>.<due time as YYYYMMDDTHHMMSS>`: one per warning",
    ),
    GatewayMessage(
        name="auditCheckpoint",
        summary="The audit chain's length and head",
        payload=AuditCheckpointSchema,
        schema_id=EVENT_SCHEMA,
        kinds=[AUDIT_CHECKPOINT],
        correlated_by="head_hash",
        message_id="`audit.checkpoint.<count>`: one per length of the chain",
        traced=False,
        for_a_centre=False,
    ),
)


def build_document() -> dict[str, Any]:
    """The AsyncAPI document of the exchanges and queues, as a JSON-ready dict."""
    from devtools.asyncapi_examples import example_messages  # the adapters, as the app factory imports them

    examples = example_messages()
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(),
        "defaultContentType": "application/json",
        "servers": {
            "broker": {
                "host": PLACEHOLDER_HOST,
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "RabbitMQ (placeholder host; the deployment's LAGW_AMQP_URL names the real one)",
            }
        },
        "channels": _channels(),
        "operations": _operations(),
        "components": {
            "schemas": payload_schemas(),
            "messages": {
                **{m.name: _gateway_message(m, examples.get(m.name)) for m in GATEWAY_MESSAGES},
                **{f"{answer}Answer": _answer_message(answer) for answer in ANSWER_BODIES},
            },
        },
    }


def render_document() -> str:
    """The document as written to docs/asyncapi.json: indented, sorted keys, UTF-8 text, a final newline."""
    return json.dumps(build_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def payload_schemas() -> dict[str, Any]:
    """components.schemas: the payloads' JSON Schemas from the marshmallow schemas, nested ones by reference."""
    spec = APISpec("Legal Aid Gateway bus", _version(), "3.1.0", plugins=[MarshmallowPlugin()])
    for message in GATEWAY_MESSAGES:
        spec.components.schema(message.payload.__name__.removesuffix("Schema"), schema=message.payload)
    spec.components.schema("AnswerMessage", schema=AnswerMessageSchema)
    for body in ANSWER_BODIES.values():
        spec.components.schema(body.__name__.removesuffix("Schema"), schema=body)
    schemas: dict[str, Any] = spec.to_dict()["components"]["schemas"]
    describe(schemas, type_names())
    for answer, body in ANSWER_BODIES.items():
        # AnswerMessageSchema takes `body` as any object and loads it by `type`: one schema per type.
        typed = {"type": {"const": answer}, "body": {"$ref": SCHEMAS + body.__name__.removesuffix("Schema")}}
        schemas[f"{answer.capitalize()}Answer"] = {
            "allOf": [{"$ref": f"{SCHEMAS}AnswerMessage"}, {"properties": typed}]
        }
    return schemas


def _version() -> str:
    return metadata.version("legal-aid-gateway")


def _info() -> dict[str, Any]:
    return {
        "title": "Legal Aid Gateway bus",
        "version": _version(),
        "description": (
            "What the gateway publishes to legal aid centres and what it takes back. Requests and withdrawals "
            f"reach the quorum queue {ASSIGNMENT_QUEUE}; status events and deadline warnings go to the topic "
            f"exchange {EVENTS_EXCHANGE}; a centre answers on the quorum queue {APPOINTMENTS_QUEUE}. Messages are "
            "persistent UTF-8 JSON; a crash between the broker's confirm and the gateway's record re-publishes a "
            "message with the same message_id, so deduplicate on it. A request's messages are published in order. "
            "AMQP properties are under x-amqp-properties of each message, queue arguments and bindings under "
            "x-amqp-queue-arguments and x-amqp-bindings of each queue's channel."
        ),
        "tags": [
            {
                "name": "gateway",
                "description": "done by the gateway (lagw relay and its audit sequencer, lagw deadlines)",
            },
            {"name": "centre", "description": "done by the centre's assignment system"},
        ],
    }


def _exchange(name: str) -> dict[str, Any]:
    exchange = {"name": name, "type": "topic", "durable": True, "autoDelete": False}
    return {"amqp": {"is": "routingKey", "exchange": exchange, "bindingVersion": AMQP_BINDING_VERSION}}


def _queue(name: str) -> dict[str, Any]:
    queue = {"name": name, "durable": True, "exclusive": False, "autoDelete": False}
    return {"amqp": {"is": "queue", "queue": queue, "bindingVersion": AMQP_BINDING_VERSION}}


def _refs(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/messages/{name}"} for name in names}


CENTRE = {"description": "the legal aid centre's code (routing.centre_code of the request), e.g. lac370202"}
QUORUM_DEAD_LETTERED = {
    "x-queue-type": "quorum",
    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
    "x-delivery-limit": DELIVERY_LIMIT,
}


def _channels() -> dict[str, Any]:
    return {
        "requests": {
            "address": "{kind}.{centre_code}",
            "description": "New requests, routed to the centre chosen by LAL 38; every one must reach a queue.",
            "parameters": {"kind": {"enum": KINDS}, "centre_code": CENTRE},
            "messages": _refs("request"),
            "bindings": _exchange(REQUESTS_EXCHANGE),
        },
        "withdrawals": {
            "address": "withdrawal.{centre_code}",
            "description": "Withdrawals, on the same exchange, never before the request they withdraw.",
            "parameters": {"centre_code": CENTRE},
            "messages": _refs("withdrawal"),
            "bindings": _exchange(REQUESTS_EXCHANGE),
        },
        "materials": {
            "address": "materials.{centre_code}",
            "description": "Missing materials an application's forwarder supplied, on the same exchange (LAL 43 ¶2).",
            "parameters": {"centre_code": CENTRE},
            "messages": _refs("materials"),
            "bindings": _exchange(REQUESTS_EXCHANGE),
        },
        "requestEvents": {
            "address": "request.{event}",
            "description": "A request's lifecycle; the exchange may have no subscriber.",
            "parameters": {"event": {"enum": [key.removeprefix("request.") for key in REQUEST_EVENTS]}},
            "messages": _refs("requestEvent"),
            "bindings": _exchange(EVENTS_EXCHANGE),
        },
        "deadlineEvents": {
            "address": "deadline.{warning}",
            "description": "Warnings of `lagw deadlines` before a legal deadline ends and after it has.",
            "parameters": {"warning": {"enum": [AT_RISK, MISSED]}},
            "messages": _refs("deadlineEvent"),
            "bindings": _exchange(EVENTS_EXCHANGE),
        },
        "auditCheckpoints": {
            "address": AUDIT_CHECKPOINT,
            "description": "The audit sequencer's checkpoints of the audit chain (in `lagw relay`), for safekeeping.",
            "messages": _refs("auditCheckpoint"),
            "bindings": _exchange(EVENTS_EXCHANGE),
        },
        "assignment": {
            "address": ASSIGNMENT_QUEUE,
            "description": (
                f"Every request kind, withdrawal and supply of materials for every centre. A message delivered "
                f"{DELIVERY_LIMIT} times "
                f"without an acknowledgement is dead-lettered to {DEAD_LETTER_EXCHANGE}."
            ),
            "messages": _refs("request", "withdrawal", "materials"),
            "bindings": _queue(ASSIGNMENT_QUEUE),
            "x-amqp-queue-arguments": QUORUM_DEAD_LETTERED,
            "x-amqp-bindings": [{"exchange": REQUESTS_EXCHANGE, "routingKey": key} for key in assignment_bindings()],
        },
        "appointments": {
            "address": APPOINTMENTS_QUEUE,
            "description": (
                "The centres' answers, published through the default exchange with the queue's name as routing "
                "key; `lagw answers` applies each message_id once and dead-letters one that can never apply."
            ),
            "messages": _refs(*(f"{answer}Answer" for answer in ANSWER_BODIES)),
            "bindings": _queue(APPOINTMENTS_QUEUE),
            "x-amqp-queue-arguments": QUORUM_DEAD_LETTERED,
        },
        "deadLetters": {
            "address": None,
            "description": (
                "Dead letters keep their routing key; an answer parked by `lagw answers` has the key "
                f"{APPOINTMENTS_QUEUE} and its reason in the x-lagw-reason header."
            ),
            "bindings": _exchange(DEAD_LETTER_EXCHANGE),
        },
        "dead": {
            "address": DEAD_LETTER_QUEUE,
            "description": "Everything dead-lettered, for an operator to inspect.",
            "bindings": _queue(DEAD_LETTER_QUEUE),
            "x-amqp-queue-arguments": {"x-queue-type": "quorum"},
            "x-amqp-bindings": [{"exchange": DEAD_LETTER_EXCHANGE, "routingKey": "#"}],
        },
    }


def _operation(action: str, by: str, channel: str, messages: list[str], summary: str, **amqp: Any) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in messages],
        "summary": summary,
        "tags": [{"name": by}],
        "bindings": {"amqp": {**amqp, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _operations() -> dict[str, Any]:
    sent = {"deliveryMode": PERSISTENT, "timestamp": True}
    return {
        "publishRequest": _operation(
            "send", "gateway", "requests", ["request"], "Publish an accepted request", mandatory=True, **sent
        ),
        "publishWithdrawal": _operation(
            "send", "gateway", "withdrawals", ["withdrawal"], "Publish a withdrawal", mandatory=True, **sent
        ),
        "publishMaterials": _operation(
            "send", "gateway", "materials", ["materials"], "Publish supplied materials", mandatory=True, **sent
        ),
        "publishRequestEvent": _operation(
            "send", "gateway", "requestEvents", ["requestEvent"], "Publish a state change", mandatory=False, **sent
        ),
        "publishDeadlineEvent": _operation(
            "send", "gateway", "deadlineEvents", ["deadlineEvent"], "Warn of a deadline", mandatory=False, **sent
        ),
        "publishAuditCheckpoint": _operation(
            "send",
            "gateway",
            "auditCheckpoints",
            ["auditCheckpoint"],
            "Publish a checkpoint of the audit chain",
            mandatory=False,
            **sent,
        ),
        "receiveAssignment": _operation(
            "receive",
            "centre",
            "assignment",
            ["request", "withdrawal", "materials"],
            "Take requests, withdrawals and supplied materials; ack once recorded",
            ack=True,
        ),
        "sendAnswer": _operation(
            "send",
            "centre",
            "appointments",
            [f"{a}Answer" for a in ANSWER_BODIES],
            "Answer a request",
            deliveryMode=PERSISTENT,
        ),
    }


def _gateway_message(message: GatewayMessage, example: OutboxMessage | None) -> dict[str, Any]:
    named: dict[str, Any] = {"schema": {"const": message.schema_id}, "kind": {"enum": message.kinds}}
    if message.for_a_centre:
        named["centre"] = CENTRE
    if message.traced:
        named[REQUEST_ID_HEADER] = {"type": "string", "description": "the agency call's X-Request-Id, when known"}
        named[TRACEPARENT] = {
            "type": "string",
            "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "W3C Trace Context: the notice's trace (its intake, or the step that published this)",
        }
    optional = {REQUEST_ID_HEADER, TRACEPARENT}
    headers = {"type": "object", "properties": named, "required": sorted(set(named) - optional)}
    properties = {
        "type": "object",
        "properties": {
            "message_id": {"type": "string", "description": f"{message.message_id}; the same on every re-publish"},
            "correlation_id": {"type": "string", "description": f"the payload's {message.correlated_by}"},
            "content_type": {"const": "application/json"},
            "delivery_mode": {"const": PERSISTENT},
            "timestamp": {"type": "integer", "description": "when published, in seconds since the epoch"},
            "app_id": {"const": "legal-aid-gateway"},
        },
        "required": ["app_id", "content_type", "correlation_id", "delivery_mode", "message_id", "timestamp"],
    }
    described: dict[str, Any] = {
        "name": message.name,
        "summary": message.summary,
        "description": inspect.getdoc(message.payload),
        "contentType": "application/json",
        "headers": headers,
        "payload": {"$ref": SCHEMAS + message.payload.__name__.removesuffix("Schema")},
        "correlationId": {"location": f"$message.payload#/{message.correlated_by}"},
        "x-amqp-properties": properties,
    }
    if example is not None:
        described["examples"] = [_example(example)]
    return described


def _example(message: OutboxMessage) -> dict[str, Any]:
    return {
        "name": message.routing_key,
        "summary": f"made by the gateway's own code from the court's sample notice, examples/{EXAMPLE_NOTICE}",
        "headers": message.headers,
        "payload": json.loads(message.body),
        "x-amqp-properties": {
            "message_id": message.message_id,
            "correlation_id": message.correlation_id,
            "content_type": message.content_type,
            "delivery_mode": PERSISTENT,
        },
    }


def _answer_message(answer: str) -> dict[str, Any]:
    properties = {
        "type": "object",
        "properties": {
            "message_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_MESSAGE_ID,
                "description": "the answer's own id: a redelivery or resend with it is applied once",
            },
            "content_type": {"const": "application/json"},
            "delivery_mode": {"const": PERSISTENT},
        },
        "required": ["message_id"],
    }
    return {
        "name": f"{answer}Answer",
        "summary": f"legalaid.answer/1 of type {answer}; the body as POST /api/v1/requests/{{id}}/{answer} takes it",
        "description": inspect.getdoc(ANSWER_BODIES[answer]),
        "contentType": "application/json",
        "payload": {"$ref": f"{SCHEMAS}{answer.capitalize()}Answer"},
        "x-amqp-properties": properties,
    }
