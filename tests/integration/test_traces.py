"""One notice is one trace: the agency's traceparent goes on through the bus message, the centre's answer and
its event, and the callback to the agency, each step a span of its own."""

import json
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from devtools.agency_simulator import PASSWORD, USERNAME, AgencySimulator, running_agency
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.service.ports import Callback
from gateway.store.tables import outbox
from tests.integration.test_delivery import _deliverer, appointment
from tests.integration.test_request_ids import _all_sent
from tests.support.broker import drain_queue
from tests.support.gateway import LiveGateway, example, running_relay, wait_for

pytestmark = pytest.mark.integration

COURT = "court-370202"


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def _parts(traceparent: str) -> tuple[str, str]:
    version, trace_id, span_id, flags = traceparent.split("-")
    assert (version, len(trace_id), len(span_id), len(flags)) == ("00", 32, 16, 2), traceparent
    return trace_id, span_id


def test_a_notice_its_bus_message_the_answer_and_the_callback_share_one_trace(
    gateway: LiveGateway, agency: AgencySimulator, amqp_url: str
) -> None:
    gateway.services.agencies.set_callback(
        COURT, Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
    )
    trace_id, agency_span = secrets.token_hex(16), secrets.token_hex(8)
    sent = gateway.post(
        "/api/v1/court/defense-notices",
        COURT,
        example("court", "defense-notices.json"),
        headers={"traceparent": f"00-{trace_id}-{agency_span}-01"},
    )
    receipt = sent.json()
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.row_counts()["outbox"] == 1 and _all_sent(gateway), what="the notice published")
    [(_, properties, _)] = drain_queue(amqp_url, ASSIGNMENT_QUEUE)
    centres_trace = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"  # the centre's own system traces too
    answered = gateway.post(
        f"/api/v1/requests/{receipt['id']}/appointment",
        receipt["centre_code"],
        appointment(),
        headers={"traceparent": centres_trace},
    )
    _deliverer(gateway).run_once()

    assert sent.status_code == 202 and answered.status_code == 200, answered.text
    with gateway.services.engine.connect() as conn:
        [event_headers] = conn.scalars(sa.select(outbox.c.headers).where(outbox.c.routing_key == "request.assigned"))
    [callback] = agency.received.values()
    steps = {
        "bus message": properties.headers["traceparent"],
        "the answer's event": (event_headers if isinstance(event_headers, dict) else json.loads(event_headers))[
            "traceparent"
        ],
        "callback": callback["traceparent"],
    }
    assert {step: _parts(value)[0] for step, value in steps.items()} == dict.fromkeys(steps, trace_id)
    span_ids = [_parts(value)[1] for value in steps.values()]
    assert len(set(span_ids)) == 3 and agency_span not in span_ids  # each step is a span of its own


def test_a_notice_without_a_traceparent_starts_a_trace_its_bus_message_carries(
    gateway: LiveGateway, amqp_url: str
) -> None:
    sent = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json"))
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: _all_sent(gateway), what="the notice published")

    [(_, properties, _)] = drain_queue(amqp_url, ASSIGNMENT_QUEUE)

    assert sent.status_code == 202
    trace_id, _span = _parts(properties.headers["traceparent"])
    assert trace_id != "0" * 32


def test_the_relays_publish_is_a_span_of_its_own_between_the_intake_and_the_consumer(
    gateway: LiveGateway, amqp_url: str
) -> None:
    trace_id, agency_span = secrets.token_hex(16), secrets.token_hex(8)
    gateway.post(
        "/api/v1/court/defense-notices",
        COURT,
        example("court", "defense-notices.json"),
        headers={"traceparent": f"00-{trace_id}-{agency_span}-01"},
    )
    with gateway.services.engine.connect() as conn:
        [stored] = conn.scalars(sa.select(outbox.c.headers))
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: _all_sent(gateway), what="the notice published")

    [(_, properties, _)] = drain_queue(amqp_url, ASSIGNMENT_QUEUE)

    intake = _parts((stored if isinstance(stored, dict) else json.loads(stored))["traceparent"])
    published = _parts(properties.headers["traceparent"])
    assert intake[0] == published[0] == trace_id  # one trace
    assert len({agency_span, intake[1], published[1]}) == 3  # the agency's call, the intake, the publish
