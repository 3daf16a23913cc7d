"""X-Request-Id travels from the agency's call to the answer, the bus message, the events and the callback."""

import socket
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from devtools.agency_simulator import PASSWORD, USERNAME, WEBHOOK_SECRET, AgencySimulator, running_agency
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.service.messages import REQUEST_ID_HEADER
from gateway.service.ports import Callback
from gateway.store.tables import outbox
from tests.integration.test_delivery import _deliverer, appointment
from tests.support.broker import drain_queue
from tests.support.gateway import LiveGateway, example, running_relay, wait_for
from tests.support.moments import china_now

pytestmark = pytest.mark.integration

COURT, POLICE = "court-370202", "police-370203"


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def test_the_agencys_request_id_reaches_the_queue_and_its_soap_callback(
    gateway: LiveGateway, agency: AgencySimulator, amqp_url: str
) -> None:
    gateway.services.agencies.set_callback(
        COURT, Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
    )
    sent = gateway.post(
        "/api/v1/court/defense-notices",
        COURT,
        example("court", "defense-notices.json"),
        headers={"X-Request-Id": "court-2026-000123"},
    )
    receipt = sent.json()
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.row_counts()["outbox"] == 1 and _all_sent(gateway), what="the notice published")
    messages = drain_queue(amqp_url, ASSIGNMENT_QUEUE)
    gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], appointment())

    _deliverer(gateway).run_once()

    [(_, properties, _)] = messages
    [notice] = agency.received.values()
    assert sent.headers["X-Request-Id"] == "court-2026-000123"
    assert properties.headers[REQUEST_ID_HEADER] == "court-2026-000123"
    assert notice["request_id"] == "court-2026-000123"


def test_a_call_without_a_usable_request_id_gets_one_that_the_webhook_carries_back(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    gateway.services.agencies.set_callback(
        POLICE, Callback(kind="webhook", url=f"{agency.base}/webhook", secret=WEBHOOK_SECRET)
    )
    sent = gateway.post(
        "/api/v1/police/application-transfers",
        POLICE,
        example("police", "application-transfers.json"),
        headers={"X-Request-Id": "not a token; " + "x" * 80},
    )
    receipt = sent.json()
    gateway.post(
        f"/api/v1/requests/{receipt['id']}/decision",
        receipt["centre_code"],
        {
            "outcome": "refused",
            "decided_at": china_now(),
            "reason_code": "hardship_not_met",
            "reason": "经济状况不符合标准",
        },
    )

    _deliverer(gateway).run_once()

    made = sent.headers["X-Request-Id"]
    [notice] = agency.received.values()
    assert len(made) == 32 and made.isalnum()
    assert notice["request_id"] == made
    refused = gateway.post("/api/v1/court/defense-notices", COURT, {}, headers={"X-Request-Id": "court-bad-1"})
    assert refused.status_code == 422 and refused.headers["X-Request-Id"] == "court-bad-1"


def _all_sent(gateway: LiveGateway) -> bool:
    with gateway.services.engine.connect() as conn:
        return not conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))


@pytest.mark.parametrize("value", [b"abc\x00def", b"\x00", b"a\x01b\x7f"], ids=["NUL inside", "NUL alone", "controls"])
def test_a_request_id_with_control_bytes_is_replaced_not_a_server_error(gateway: LiveGateway, value: bytes) -> None:
    host, port = gateway.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + value + b"\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk

    head = answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    echoed = [line.split(b": ", 1)[1] for line in head if line.lower().startswith(b"x-request-id:")]
    assert head[0] == b"HTTP/1.1 200 OK"
    assert len(echoed) == 1 and len(echoed[0]) == 32 and echoed[0].isalnum()  # a new id, not the bytes sent
