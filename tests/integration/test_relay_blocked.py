"""A broker under a resource alarm blocks publishers: the relay pauses, stays stoppable, and catches up after.

The alarm is real: the test lowers RabbitMQ's memory watermark to 0 (every publisher is blocked) and restores
it afterwards. It affects the whole node for a few seconds, so it runs in the serial integration suite.
"""

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gateway.messaging.publisher import ConfirmedPublisher
from gateway.messaging.relay import Backoff, Relay
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from tests.support.broker import drain_queue
from tests.support.gateway import EXAMPLE_POSTS, LiveGateway, example, running_gateway, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

BLOCKED_TIMEOUT = 2.0


def _rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=60).stdout


@contextmanager
def memory_alarm() -> Iterator[None]:
    """Set off RabbitMQ's memory alarm; restore the watermark it had."""
    found = re.search(r"Memory high watermark setting: ([0-9.]+) of available memory", _rabbitmqctl("status"))
    watermark = found.group(1) if found else "0.4"
    _rabbitmqctl("set_vm_memory_high_watermark", "0")
    try:
        yield
    finally:
        _rabbitmqctl("set_vm_memory_high_watermark", watermark)


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url) as running:
        yield running


def _post(gateway: LiveGateway, n: int) -> str:
    folder, file_name, path, code = EXAMPLE_POSTS[0]
    body = example(folder, file_name)
    body["notice_number"] = f"{body['notice_number']}-blocked-{n}"
    response = gateway.post(path, code, body)
    assert response.status_code == 202, response.text
    request_id: str = response.json()["id"]
    return request_id


def test_a_blocked_broker_pauses_the_relay_which_stays_stoppable_and_catches_up(
    gateway: LiveGateway, amqp_url: str
) -> None:
    relay = Relay(
        gateway.services.outbox,
        lambda: ConfirmedPublisher(amqp_url, blocked_timeout=BLOCKED_TIMEOUT),
        backoff=Backoff(0.05, 0.5),
    )
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    first = _post(gateway, 1)
    wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="the first notice relayed")

    with memory_alarm():
        second = _post(gateway, 2)  # the API does not wait on the broker: it still accepts
        time.sleep(BLOCKED_TIMEOUT * 2)
        pending_while_blocked = gateway.services.outbox.pending_count()
        alive_while_blocked = thread.is_alive()
    wait_for(lambda: gateway.services.outbox.pending_count() == 0, timeout=30, what="the relay catching up")

    with memory_alarm():
        third = _post(gateway, 3)
        time.sleep(0.5)  # the relay is now waiting on a blocked connection
        asked_to_stop = time.monotonic()
        stop.set()
        thread.join(timeout=BLOCKED_TIMEOUT * 3)
        stopped_after = time.monotonic() - asked_to_stop
    messages = drain_queue(amqp_url, ASSIGNMENT_QUEUE)

    assert pending_while_blocked == 1, "nothing is marked sent while the broker cannot take it"
    assert alive_while_blocked
    assert not thread.is_alive(), "the relay hung on the blocked connection"
    assert stopped_after < BLOCKED_TIMEOUT * 3
    # The third may have reached the broker's socket before the relay gave up: then it is queued, and the
    # outbox still holds it for a re-publish with the same message_id.
    assert {first, second} <= {properties.message_id for _, properties, _ in messages} <= {first, second, third}
