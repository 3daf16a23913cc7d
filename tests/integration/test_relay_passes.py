"""The relay publishes a pass with its confirms outstanding together, names what the broker refused, keeps
what it confirmed when the link is cut mid-pass, and is woken by new rows (PostgreSQL NOTIFY) or a short poll."""

import copy
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest

from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.topology import ASSIGNMENT_QUEUE, REQUESTS_EXCHANGE
from gateway.service.ports import OutboxMessage
from tests.support.broker import drain_queue, url_via
from tests.support.gateway import LiveGateway, example, running_gateway, running_relay, wait_for
from tests.support.postgres import fresh_database
from tests.support.proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

COURT = "court-370202"
NOTICES = "/api/v1/court/defense-notices"


def _message(n: int, routing_key: str = "notify_defense.lac370202") -> OutboxMessage:
    return OutboxMessage(
        message_id=f"pass-{n}-{uuid.uuid4().hex[:8]}",
        exchange=REQUESTS_EXCHANGE,
        routing_key=routing_key,
        body=json.dumps({"n": n}).encode(),
        headers={"schema": "test/1"},
    )


@pytest.fixture
def publisher(amqp_url: str) -> Iterator[ConfirmedPublisher]:
    connected = ConfirmedPublisher(amqp_url)
    connected.connect()
    try:
        yield connected
    finally:
        connected.close()


def test_a_pass_is_confirmed_together_and_an_unroutable_message_is_refused(
    publisher: ConfirmedPublisher, amqp_url: str
) -> None:
    routed = [_message(n) for n in range(300)]
    unroutable = _message(300, routing_key="no_such_kind.nowhere")

    said = publisher.publish_all([*routed[:150], unroutable, *routed[150:]])

    assert said.interrupted is None
    assert sorted(said.confirmed) == sorted(m.message_id for m in routed)
    assert said.refused == {unroutable.message_id: "unroutable: no queue bound for no_such_kind.nowhere"}
    queued = [properties.message_id for _, properties, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE)]
    assert queued == [m.message_id for m in routed]  # in the order published, each once


def test_two_passes_in_flight_are_confirmed_each_on_its_own(publisher: ConfirmedPublisher, amqp_url: str) -> None:
    first = [_message(n) for n in range(200)]
    second = [_message(n) for n in range(200, 400)] + [_message(400, routing_key="no_such_kind.nowhere")]

    tickets = publisher.send(first), publisher.send(second)
    said_second = publisher.confirmations(tickets[1])  # asked for out of order: each pass gets its own
    said_first = publisher.confirmations(tickets[0])

    assert sorted(said_first.confirmed) == sorted(m.message_id for m in first)
    assert sorted(said_second.confirmed) == sorted(m.message_id for m in second[:200])
    assert list(said_second.refused) == [second[200].message_id] and not said_first.refused
    queued = [properties.message_id for _, properties, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE)]
    assert queued == [m.message_id for m in [*first, *second[:200]]]


def test_a_link_cut_mid_pass_keeps_what_was_confirmed_and_reports_the_cut(amqp_url: str) -> None:
    link = TcpProxy(("127.0.0.1", 5672))
    publisher = ConfirmedPublisher(url_via(amqp_url, link.port), confirm_timeout=5)
    publisher.connect()
    try:
        first = publisher.publish_all([_message(n) for n in range(20)])
        link.down()
        cut = publisher.publish_all([_message(n) for n in range(20, 40)])
    finally:
        publisher.close()
        link.close()

    assert first.interrupted is None and len(first.confirmed) == 20
    assert cut.interrupted is not None
    assert len(cut.confirmed) < 20 and not cut.refused  # the rest are neither: they stay pending in the outbox


def _notice(n: str) -> dict[str, object]:
    body = copy.deepcopy(example("court", "defense-notices.json"))
    body["notice_number"] = f"{body['notice_number']}-bell-{n}"
    return body


@pytest.fixture
def topology(amqp_url: str) -> str:
    """The broker's exchanges and queues declared (as the relay does when it connects), so they can be read."""
    publisher = ConfirmedPublisher(amqp_url)
    publisher.connect()
    publisher.close()
    return amqp_url


def _queued_ids(amqp_url: str) -> list[str]:
    return [properties.message_id for _, properties, _ in drain_queue(amqp_url, ASSIGNMENT_QUEUE)]


def _reaches_queue_soon(gateway: LiveGateway, amqp_url: str, n: str) -> float:
    """Post a notice; seconds until it is in the assignment queue."""
    response = gateway.post(NOTICES, COURT, _notice(n))
    assert response.status_code == 202, response.text
    accepted = time.monotonic()
    seen: list[str] = []
    wait_for(lambda: seen.extend(_queued_ids(amqp_url)) or response.json()["id"] in seen, 10, "the notice queued")
    return time.monotonic() - accepted


def test_on_postgresql_a_new_notice_wakes_a_waiting_relay(tmp_path: Path, topology: str) -> None:
    amqp_url = topology
    with (
        fresh_database() as url,
        running_gateway(tmp_path, amqp_url, database_url=url) as gateway,
        # Without a bell it would look again only after 30 s.
        running_relay(gateway.services, amqp_url, idle_interval=30),
    ):
        _reaches_queue_soon(gateway, amqp_url, "first")
        time.sleep(0.5)  # the relay has gone back to waiting for its bell
        took = _reaches_queue_soon(gateway, amqp_url, "second")

    assert took < 2.0


def test_on_sqlite_the_relay_polls_briefly(tmp_path: Path, topology: str) -> None:
    amqp_url = topology
    with (
        running_gateway(tmp_path, amqp_url, database_url=f"sqlite:///{tmp_path}/bell.sqlite3") as gateway,
        running_relay(gateway.services, amqp_url, idle_interval=30),
    ):
        _reaches_queue_soon(gateway, amqp_url, "first")
        time.sleep(0.5)
        took = _reaches_queue_soon(gateway, amqp_url, "second")

    assert took < 2.0


def test_a_publisher_that_is_not_connected_reports_it_and_confirms_nothing(amqp_url: str) -> None:
    said = ConfirmedPublisher(amqp_url).publish_all([_message(1)])

    assert isinstance(said.interrupted, pika.exceptions.AMQPConnectionError)
    assert (said.confirmed, said.refused) == ([], {})
