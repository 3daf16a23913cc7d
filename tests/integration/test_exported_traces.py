"""Traces as an operator exports them (`OTEL_TRACES_EXPORTER=otlp`): `lagw serve`, `lagw relay` and `lagw answers`
send their spans to an OTLP collector, the store's statements among them, and the answers consumer's receipt is
a CONSUMER span of the centre's trace that the notice's state change links to."""

import gzip
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
import pytest
import requests
from flask import Flask, request
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.messaging.publisher import ConfirmedPublisher, connection_parameters
from gateway.messaging.topology import APPOINTMENTS_QUEUE
from schemas.answer_message import ANSWER_SCHEMA
from tests.integration.test_delivery import appointment
from tests.support.gateway import example
from tests.support.processes import LagwProcesses
from tests.support.server import live_server

pytestmark = pytest.mark.integration

COURT = "court-370202"


@dataclass(frozen=True)
class Received:
    """One span as the collector got it, with the process that sent it."""

    service: str
    span: Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()


class Collector:
    """An OTLP/HTTP trace collector: what `/v1/traces` received, decoded."""

    def __init__(self) -> None:
        self.spans: list[Received] = []
        self._lock = threading.Lock()
        self.app = Flask("collector")
        self.app.add_url_rule("/v1/traces", view_func=self._receive, methods=["POST"])

    def _receive(self) -> tuple[str, int]:
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        export = ExportTraceServiceRequest.FromString(body)
        with self._lock:
            for resource_spans in export.resource_spans:
                service = next(
                    (a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"), ""
                )
                for scope_spans in resource_spans.scope_spans:
                    self.spans.extend(Received(service, span) for span in scope_spans.spans)
        return "", 200

    def in_trace(self, trace_id: str) -> list[Received]:
        with self._lock:
            return [received for received in self.spans if received.trace_id == trace_id]


@pytest.fixture
def collector() -> Iterator[tuple[Collector, str]]:
    found = Collector()
    with live_server(found.app) as base:
        yield found, base


@pytest.fixture
def exporting(tmp_path: Path, amqp_url: str, collector: tuple[Collector, str]) -> Iterator[tuple[LagwProcesses, dict]]:
    _, base = collector
    env = {
        "LAGW_DATABASE_URL": f"sqlite:///{tmp_path}/traced.sqlite3",
        "LAGW_AMQP_URL": amqp_url,
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{base}/v1/traces",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    services = build_services(Settings.from_env(env))
    keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
    services.engine.dispose()
    publisher = ConfirmedPublisher(amqp_url)  # the queues exist before anything consumes
    publisher.connect()
    publisher.close()
    processes = LagwProcesses(env, tmp_path)
    try:
        processes.serve(workers=1, threads=4)
        processes.start("relay", "relay")
        processes.start("answers", "answers")
        yield processes, keys
    finally:
        processes.stop_all()


def _wait(check: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not in time: {what}")


def _attributes(span: Span) -> dict[str, str]:
    return {attribute.key: str(attribute.value) for attribute in span.attributes}


def test_a_notice_and_its_answer_are_exported_with_the_store_and_the_consumer_in_them(
    exporting: tuple[LagwProcesses, dict[str, str]], collector: tuple[Collector, str], amqp_url: str
) -> None:
    processes, keys = exporting
    found, _ = collector
    notice = example("court", "defense-notices.json")
    trace_id, agency_span = secrets.token_hex(16), secrets.token_hex(8)
    sent = requests.post(
        processes.base + "/api/v1/court/defense-notices",
        data=json.dumps(notice, ensure_ascii=False).encode(),
        headers={
            "Authorization": f"Bearer {keys[COURT]}",
            "Content-Type": "application/json",
            "traceparent": f"00-{trace_id}-{agency_span}-01",
        },
        timeout=10,
    )
    assert sent.status_code == 202, sent.text
    receipt = sent.json()
    centres_trace, centres_span = secrets.token_hex(16), secrets.token_hex(8)
    _publish_answer(amqp_url, receipt["id"], receipt["centre_code"], f"00-{centres_trace}-{centres_span}-01")

    def assigned() -> list[Received]:
        return [r for r in found.in_trace(trace_id) if r.span.name == "request.assigned"]

    _wait(assigned, "the appointment's state change exported", timeout=60)
    notices = found.in_trace(trace_id)
    [server] = [r.span for r in notices if r.span.kind == Span.SPAN_KIND_SERVER]
    statements = [r for r in notices if r.span.kind == Span.SPAN_KIND_CLIENT and "db.system" in _attributes(r.span)]
    [consumer] = _wait(
        lambda: [r.span for r in found.in_trace(centres_trace) if r.span.kind == Span.SPAN_KIND_CONSUMER],
        "the answer's receipt exported",
    )
    [state_change] = [r.span for r in assigned()]

    assert server.parent_span_id.hex() == agency_span  # the agency's call is the parent of the intake
    # The intake's statements are spans under the intake's; the answers consumer's statements under the change.
    assert {r.service for r in statements} >= {"lagw"} and statements
    assert any(r.span.parent_span_id == server.span_id for r in statements)
    assert any(r.span.parent_span_id == state_change.span_id for r in statements)
    # The workers' polls outside any notice are not traces of their own: every statement span has a parent.
    assert all(r.span.parent_span_id for r in found.spans if "db.system" in _attributes(r.span))
    # The receipt continues the centre's trace; the notice's change links back to it.
    assert consumer.name == f"{APPOINTMENTS_QUEUE} receive" and consumer.parent_span_id.hex() == centres_span
    assert [(link.trace_id.hex(), link.span_id) for link in state_change.links] == [(centres_trace, consumer.span_id)]
    # No span carries the person's name or ID number: statements are named by their SQL, never their values.
    exported = " ".join(
        f"{r.span.name} {_attributes(r.span)} {r.span.status.message} {[str(event) for event in r.span.events]}"
        for r in found.spans
    )
    person = notice["defendant"]
    assert person["name"] not in exported and person["id_number"] not in exported


def _publish_answer(amqp_url: str, request_id: str, centre: str, traceparent: str) -> None:
    body = {"schema": ANSWER_SCHEMA, "type": "appointment", "request_id": request_id, "centre_code": centre}
    body["body"] = appointment()
    connection = pika.BlockingConnection(connection_parameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(
            message_id=f"{request_id}.appointment", delivery_mode=2, headers={"traceparent": traceparent}
        )
        channel.basic_publish("", APPOINTMENTS_QUEUE, json.dumps(body, ensure_ascii=False).encode(), properties)
    finally:
        connection.close()
