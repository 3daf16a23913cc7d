"""The shipped AsyncAPI document is what the schemas and the topology say, and what the code sends fits it."""

import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
import pika
import pytest
from marshmallow import ValidationError

from devtools.asyncapi import ANSWER_BODIES, build_document, render_document
from gateway.domain.enums import RequestState
from gateway.messaging.answers_consumer import AnswersConsumer
from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.topology import ASSIGNMENT_QUEUE, EXCHANGES, QUEUES, declare_topology
from schemas.answer_message import AnswerMessageSchema
from schemas.canonical import validate_message
from tests.support.gateway import example as sample
from tests.support.store import StoreWithNotices
from tests.unit.fakes import FixedClock

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run scripts/write-asyncapi and commit docs/asyncapi.json"
GATEWAY_SENDS = {"request", "withdrawal", "materials", "requestEvent", "deadlineEvent", "auditCheckpoint"}
ANSWER_PATH = "/api/v1/requests/{request_id}/"


@dataclass
class Published:
    """One basic_publish as the broker would have received it."""

    exchange: str
    routing_key: str
    payload: dict[str, Any]
    headers: dict[str, Any]
    properties: dict[str, Any]
    mandatory: bool


@dataclass
class RecordingChannel:
    """The pika channel calls of declare_topology and the publisher, recorded instead of sent."""

    exchanges: dict[str, dict[str, Any]] = field(default_factory=dict)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    bindings: set[tuple[str, str, str]] = field(default_factory=set)  # (queue, exchange, routing key)
    published: list[Published] = field(default_factory=list)
    acks: list[Any] = field(default_factory=list)  # the broker's acks, handed over at the next event loop
    on_ack: Any = None

    @property
    def _impl(self) -> "RecordingChannel":
        return self  # pika's asynchronous channel under the blocking one: the publisher takes its confirms there

    def add_on_return_callback(self, callback: object) -> None:
        pass

    def exchange_declare(self, exchange: str, exchange_type: str = "direct", durable: bool = False) -> None:
        self.exchanges[exchange] = {"type": exchange_type, "durable": durable}

    def queue_declare(self, queue: str, durable: bool = False, arguments: dict[str, Any] | None = None) -> None:
        self.queues[queue] = {"durable": durable, "arguments": arguments or {}}

    def queue_bind(self, queue: str, exchange: str, routing_key: str) -> None:
        self.bindings.add((queue, exchange, routing_key))

    def confirm_delivery(self, ack_nack_callback: Any, callback: Any) -> None:
        self.on_ack = ack_nack_callback
        callback(SimpleNamespace(method=pika.spec.Confirm.SelectOk()))

    def basic_publish(
        self, exchange: str, routing_key: str, body: bytes, properties: pika.BasicProperties, mandatory: bool = False
    ) -> None:
        set_ = {k: v.value if isinstance(v, enum.Enum) else v for k, v in vars(properties).items() if v is not None}
        headers = set_.pop("headers", {})
        self.published.append(Published(exchange, routing_key, json.loads(body), headers, set_, mandatory))
        self.acks.append(pika.spec.Basic.Ack(delivery_tag=len(self.published)))


class RecordingConnection:
    """A pika BlockingConnection that hands out the recording channel."""

    def __init__(self, channel: RecordingChannel) -> None:
        self._channel = channel
        self.is_open = True

    def add_on_connection_blocked_callback(self, callback: object) -> None:
        pass

    def add_on_connection_unblocked_callback(self, callback: object) -> None:
        pass

    def channel(self) -> RecordingChannel:
        return self._channel

    def add_callback_threadsafe(self, callback: Any) -> None:
        callback()

    def process_data_events(self, time_limit: float = 0) -> None:
        acks, self._channel.acks = self._channel.acks, []
        for ack in acks:
            self._channel.on_ack(SimpleNamespace(method=ack))

    def close(self) -> None:
        self.is_open = False


@dataclass
class Bus:
    """A store that took notices, an answer, a withdrawal and deadline warnings, and what its relay published."""

    store: StoreWithNotices
    published: list[Published]
    answer: dict[str, Any]
    assigned: str


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bus]:
    clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    store = StoreWithNotices(f"sqlite:///{tmp_path_factory.mktemp('bus')}/store.sqlite3", clock)
    try:
        assigned, withdrawn, late = (store.post_court_notice(n) for n in range(3))
        answer = _answer(store, assigned, "appointment")
        consumer = AnswersConsumer(
            "amqp://127.0.0.1/", store.services.answers, store.services.agencies, store.services.requests
        )
        consumer.apply(f"{assigned}.appointment", json.dumps(answer, ensure_ascii=False).encode("utf-8"))
        store.withdraw(withdrawn)
        _materials_asked_and_supplied(store)
        stored = store.services.requests.get(late)
        assert stored is not None
        for at in (stored.due_at - timedelta(hours=1), stored.due_at + timedelta(minutes=1)):
            clock.current = at  # deadline.at_risk, then deadline.missed
            store.services.deadlines.run_once()
        store.services.audit.run_once()  # links the records and checkpoints the chain
        yield Bus(store, _relay_everything(store), answer, assigned)
    finally:
        store.services.engine.dispose()


def _materials_asked_and_supplied(store: StoreWithNotices) -> None:
    """A police application whose centre asks for missing materials, which the police then supply."""
    police = {"Authorization": f"Bearer {store.keys['police-370203']}"}
    body = sample("police", "application-transfers.json")
    body["application"]["applied_at"] = "2026-11-23T09:00:00+08:00"  # the day the store's clock stands on
    posted = store.client.post("/api/v1/police/application-transfers", json=body, headers=police).get_json()
    consumer = AnswersConsumer(
        "amqp://127.0.0.1/", store.services.answers, store.services.agencies, store.services.requests
    )
    asked = _answer(
        store,
        posted["id"],
        "materials_request",
        {"requested_at": "2026-11-23T09:30:00+08:00", "items": ["收入证明"], "supply_by": "2026-11-30T17:00:00+08:00"},
    )
    consumer.apply(f"{posted['id']}.materials", json.dumps(asked, ensure_ascii=False).encode("utf-8"))
    supply = {
        "supplied_at": "2026-11-23T09:31:00+08:00",
        "documents": [{"title": "收入证明", "url": "https://dossier.example/d/1", "sha256": "0" * 64}],
    }
    supplied = store.client.post(f"/api/v1/requests/{posted['id']}/materials", json=supply, headers=police)
    assert supplied.status_code == 200, supplied.get_json()


def _relay_everything(store: StoreWithNotices) -> list[Published]:
    """Run the real relay over the outbox against a recording broker, until nothing is pending."""
    channel = RecordingChannel()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pika, "BlockingConnection", lambda _params: RecordingConnection(channel))
        publisher = ConfirmedPublisher("amqp://127.0.0.1/")
        publisher.connect()
        for _ in range(10):  # a request's later messages wait for its earlier ones
            store.services.outbox.process_batch(100, publisher.publish)
            if store.services.outbox.pending_count() == 0:
                break
    assert store.services.outbox.pending_count() == 0
    return channel.published


def _answer_examples(store: StoreWithNotices) -> dict[str, dict[str, Any]]:
    """The body of each answer as the REST API's OpenAPI document gives it as example."""
    paths = store.client.get("/api/v1/openapi.json").get_json()["paths"]
    post = {answer: paths[ANSWER_PATH + answer.replace("_", "-")]["post"] for answer in ANSWER_BODIES}
    return {answer: op["requestBody"]["content"]["application/json"]["example"] for answer, op in post.items()}


def _answer(
    store: StoreWithNotices, request_id: str, answer: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A `legalaid.answer/1` message as the README describes it."""
    stored = store.services.requests.get(request_id)
    assert stored is not None
    return {
        "schema": "legalaid.answer/1",
        "type": answer,
        "request_id": request_id,
        "centre_code": stored.centre_code,
        "body": body if body is not None else _answer_examples(store)[answer],
    }


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _validator(document: dict[str, Any], schema: dict[str, Any], closed: bool = False) -> jsonschema_rs.Validator:
    """A draft-07 validator (the AsyncAPI schema format) for a schema of the document, formats checked.

    `closed`: no property beyond those the schema names (for the flat headers and AMQP properties).
    """
    schema = {**schema, "additionalProperties": False} if closed else schema
    return jsonschema_rs.Draft7Validator(
        {"allOf": [schema], "components": document["components"]}, validate_formats=True
    )


def _payload(document: dict[str, Any], message: str) -> jsonschema_rs.Validator:
    return _validator(document, document["components"]["messages"][message]["payload"])


def _address_pattern(channel: dict[str, Any]) -> re.Pattern[str]:
    """The channel's address as a regular expression over routing keys."""

    def parameter(match: re.Match[str]) -> str:
        enum_ = channel["parameters"][match.group(1)].get("enum")
        return "(" + "|".join(map(re.escape, enum_)) + ")" if enum_ else "[^.]+"

    return re.compile(re.sub(r"\\\{(\w+)\\\}", parameter, re.escape(channel["address"])) + "$")


def _topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` one word, `#` zero or more."""
    words = [r"[^.]+" if w == "*" else r".*" if w == "#" else re.escape(w) for w in pattern.split(".")]
    return re.fullmatch(r"\.".join(words), routing_key) is not None


def _message_for(document: dict[str, Any], published: Published) -> tuple[str, str]:
    """(channel, message) of the document that the published message is: exactly one must fit."""
    fits = []
    for name, channel in document["channels"].items():
        binding = channel["bindings"]["amqp"]
        if binding["is"] != "routingKey" or binding["exchange"]["name"] != published.exchange:
            continue
        if channel["address"] is None or not _address_pattern(channel).match(published.routing_key):
            continue
        for message in channel.get("messages", {}):
            if _payload(document, message).is_valid(published.payload):
                fits.append((name, message))
    assert len(fits) == 1, (published.routing_key, fits)
    return fits[0]


def test_the_shipped_document_is_what_the_schemas_and_the_topology_generate() -> None:
    shipped = (ROOT / "docs" / "asyncapi.json").read_text(encoding="utf-8")

    assert shipped == render_document(), REGENERATE


def test_every_exchange_and_queue_of_the_topology_is_a_channel(document: dict[str, Any]) -> None:
    bindings = [channel["bindings"]["amqp"] for channel in document["channels"].values()]

    assert {b["exchange"]["name"] for b in bindings if b["is"] == "routingKey"} == set(EXCHANGES)
    assert {b["queue"]["name"] for b in bindings if b["is"] == "queue"} == set(QUEUES)


def test_the_channels_state_what_the_topology_declares(document: dict[str, Any]) -> None:
    declared = RecordingChannel()
    declare_topology(declared)

    for channel in document["channels"].values():
        amqp = channel["bindings"]["amqp"]
        if amqp["is"] == "routingKey":
            exchange = amqp["exchange"]
            assert declared.exchanges[exchange["name"]] == {"type": exchange["type"], "durable": exchange["durable"]}
        else:
            queue = amqp["queue"]["name"]
            assert declared.queues[queue] == {"durable": True, "arguments": channel["x-amqp-queue-arguments"]}
            stated = {(queue, b["exchange"], b["routingKey"]) for b in channel.get("x-amqp-bindings", [])}
            assert stated == {binding for binding in declared.bindings if binding[0] == queue}


def test_every_reference_resolves_and_operations_use_their_channels_messages(document: dict[str, Any]) -> None:
    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            yield from ([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        assert _resolve(document, ref) is not None, ref
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"]
        assert all(m["$ref"].startswith(channel + "/messages/") for m in operation["messages"]), name


def test_every_message_the_gateway_publishes_fits_its_message_headers_and_properties(
    document: dict[str, Any], bus: Bus
) -> None:
    operations = {op["channel"]["$ref"]: op for op in document["operations"].values() if op["action"] == "send"}
    for published in bus.published:
        channel, name = _message_for(document, published)
        message = document["components"]["messages"][name]
        errors = [
            e.message for e in _validator(document, message["headers"], closed=True).iter_errors(published.headers)
        ]
        properties = _validator(document, message["x-amqp-properties"], closed=True)
        errors += [e.message for e in properties.iter_errors(published.properties)]
        assert not errors, (name, errors)
        correlated_by = message["correlationId"]["location"].removeprefix("$message.payload#/")
        assert published.properties["correlation_id"] == published.payload[correlated_by]
        assert published.properties["content_type"] == message["contentType"]
        amqp = operations[f"#/channels/{channel}"]["bindings"]["amqp"]
        assert (published.mandatory, published.properties["delivery_mode"]) == (amqp["mandatory"], amqp["deliveryMode"])


def test_the_scenario_publishes_every_message_the_gateway_sends(document: dict[str, Any], bus: Bus) -> None:
    sent = {_message_for(document, published)[1] for published in bus.published}
    described = {
        ref["$ref"].rsplit("/", 1)[1]
        for op in document["operations"].values()
        if op["tags"] == [{"name": "gateway"}]
        for ref in op["messages"]
    }

    assert sent == described == GATEWAY_SENDS


def test_the_assignment_queue_gets_the_messages_its_channel_lists(document: dict[str, Any], bus: Bus) -> None:
    patterns = [b["routingKey"] for b in document["channels"]["assignment"]["x-amqp-bindings"]]
    queued = {
        _message_for(document, published)[1]
        for published in bus.published
        if any(_topic_matches(pattern, published.routing_key) for pattern in patterns)
        and published.exchange == document["channels"]["requests"]["bindings"]["amqp"]["exchange"]["name"]
    }

    assert queued == set(document["channels"]["assignment"]["messages"]) == {"request", "withdrawal", "materials"}
    assert document["channels"]["assignment"]["address"] == ASSIGNMENT_QUEUE


def test_a_centres_answer_that_fits_the_document_is_applied_by_the_consumer(document: dict[str, Any], bus: Bus) -> None:
    assert _payload(document, "appointmentAnswer").is_valid(bus.answer)
    stored = bus.store.services.requests.get(bus.assigned)

    assert stored is not None and stored.state is RequestState.ASSIGNED


def test_the_answer_schemas_accept_exactly_what_the_consumer_loads(document: dict[str, Any], bus: Bus) -> None:
    bodies = _answer_examples(bus.store)
    for answer in ANSWER_BODIES:
        for example, body in bodies.items():
            message = _answer(bus.store, bus.assigned, answer, body)
            try:
                AnswerMessageSchema().load(message)
                loads = True
            except ValidationError:
                loads = False
            fits = _payload(document, f"{answer}Answer").is_valid(message)
            assert (fits, loads) == (answer == example, answer == example), (answer, example)


def test_a_message_missing_a_required_field_is_refused(document: dict[str, Any], bus: Bus) -> None:
    payloads = {_message_for(document, p)[1]: p.payload for p in bus.published} | {"appointmentAnswer": bus.answer}
    for name, payload in payloads.items():
        schema = document["components"]["messages"][name]["payload"]
        validator, required = _payload(document, name), _required(document, schema)
        assert validator.is_valid(payload) and required, name
        for key in required:
            assert not validator.is_valid({k: v for k, v in payload.items() if k != key}), (name, key)
    without_deadline = {k: v for k, v in payloads["request"].items() if k != "deadline"}
    with pytest.raises(ValidationError, match="deadline"):
        validate_message(json.dumps(without_deadline).encode("utf-8"))
    with pytest.raises(ValidationError, match="request_id"):
        AnswerMessageSchema().load({k: v for k, v in bus.answer.items() if k != "request_id"})


def _required(document: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The top-level fields a schema requires, through references and allOf."""
    if "$ref" in schema:
        return _required(document, _resolve(document, schema["$ref"]))
    parts = [_required(document, part) for part in schema.get("allOf", [])]
    return set(schema.get("required", [])).union(*parts)


def test_the_examples_are_messages_the_consumer_takes(document: dict[str, Any]) -> None:
    examples = {
        name: message["examples"]
        for name, message in document["components"]["messages"].items()
        if "examples" in message
    }
    assert set(examples) == {"request", "withdrawal"}
    for name, [example] in examples.items():
        message = document["components"]["messages"][name]
        assert _payload(document, name).is_valid(example["payload"]), name
        assert _validator(document, message["headers"], closed=True).is_valid(example["headers"]), name
    request = examples["request"][0]["payload"]

    assert validate_message(json.dumps(request, ensure_ascii=False).encode("utf-8"))["id"] == request["id"]


def test_every_payload_property_is_described_in_chinese_and_english_with_its_values() -> None:
    schemas = build_document()["components"]["schemas"]
    properties = [
        (f"{name}.{prop_name}", prop)
        for name, schema in schemas.items()
        for prop_name, prop in schema.get("properties", {}).items()
    ]

    undescribed = [
        where for where, prop in properties if not re.search(r"[\u4e00-\u9fff].* · .*[A-Za-z]{3}", prop["description"])
    ]
    unexplained = [
        (where, value)
        for where, prop in properties
        for value in prop.get("enum") or prop.get("items", {}).get("enum") or []
        if value is not None and not re.search(f"`{re.escape(str(value))}` [\u4e00-\u9fff]", prop["description"])
    ]
    assert len(properties) > 80 and undescribed == []
    assert unexplained == []
