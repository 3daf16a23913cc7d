"""Two gateway processes, two relays, two delivery workers and two deadline watchers on one PostgreSQL and one
RabbitMQ, under load: every notice reaches the assignment queue once (by message_id), every agency is told
once (by idempotency key), and one watcher holds the lease."""

import copy
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pika
import pytest
import requests
import sqlalchemy as sa

from devtools.agency_simulator import WEBHOOK_SECRET, running_agency
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.service.ports import Callback
from tests.integration.test_delivery import appointment
from tests.support.broker import fresh_vhost
from tests.support.gateway import example, wait_for
from tests.support.postgres import fresh_database
from tests.support.processes import LagwProcesses

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COURT = "court-370202"
NOTICES = 200


def test_two_of_each_process_send_every_notice_and_every_callback_once(tmp_path: Path) -> None:
    with fresh_vhost() as amqp_url, fresh_database() as database_url, running_agency() as agency:
        env = {"LAGW_DATABASE_URL": database_url, "LAGW_AMQP_URL": amqp_url, "LAGW_RATE_LIMIT": ""}
        services = build_services(Settings.from_env(env))
        keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
        services.agencies.set_callback(
            COURT, Callback(kind="webhook", url=f"{agency.base}/webhook", secret=WEBHOOK_SECRET)
        )
        instances = [LagwProcesses(env, _folder(tmp_path, name)) for name in ("a", "b")]
        try:
            bases = [instance.serve(workers=1, threads=4) for instance in instances]
            for instance in instances:
                instance.start("relay", "relay")
                instance.start("deliver", "deliver")
                instance.start("deadlines", "deadlines", "--interval", "1")
            receipts = _post_notices(bases, keys[COURT])
            queued = _collect(amqp_url, {receipt["id"] for receipt in receipts})
            _appoint(bases, receipts, keys)
            wait_for(lambda: len(agency.received) >= NOTICES, timeout=90, what="every agency notice delivered")
            holders = _lease_holders(services.engine)
        finally:
            for instance in instances:
                instance.stop_all()
            services.engine.dispose()

    ids = [message_id for message_id, _ in queued]
    assert len(receipts) == NOTICES and len(set(ids)) == NOTICES
    assert len(ids) == len(set(ids)), "a notice reached the queue twice"
    assert {receipt["id"] for receipt in receipts} == set(ids)
    assert len(agency.received) == NOTICES
    assert all(entry["calls"] == 1 for entry in agency.received.values())
    assert len(holders) == 1  # one deadline watcher of the two holds the lease


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def _post_notices(bases: list[str], key: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    tag = uuid.uuid4().hex[:8]

    def post(n: int) -> dict[str, Any]:
        body = copy.deepcopy(example("court", "defense-notices.json"))
        body["notice_number"] = f"{body['notice_number']}-{tag}-{n}"
        data = json.dumps(body, ensure_ascii=False).encode()
        response = requests.post(bases[n % 2] + "/api/v1/court/defense-notices", data=data, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        receipt: dict[str, Any] = response.json()
        return receipt

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(post, range(NOTICES)))


def _collect(amqp_url: str, expected: set[str]) -> list[tuple[str, bytes]]:
    """Every message of the assignment queue until each expected id has come (or a minute has passed)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    seen: list[tuple[str, bytes]] = []
    try:
        channel = connection.channel()
        wait_for(lambda: _queue_exists(connection), timeout=30, what="the topology declared")
        for method, properties, body in channel.consume(ASSIGNMENT_QUEUE, inactivity_timeout=60):
            if method is None:
                break
            seen.append((properties.message_id, body))
            channel.basic_ack(method.delivery_tag)
            if expected <= {message_id for message_id, _ in seen}:
                break
        # Anything published twice would be right behind: take what else is there.
        for method, properties, body in channel.consume(ASSIGNMENT_QUEUE, inactivity_timeout=2):
            if method is None:
                break
            seen.append((properties.message_id, body))
            channel.basic_ack(method.delivery_tag)
        channel.cancel()
    finally:
        connection.close()
    return seen


def _queue_exists(connection: pika.BlockingConnection) -> bool:
    channel = connection.channel()
    try:
        channel.queue_declare(ASSIGNMENT_QUEUE, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if channel.is_open:
            channel.close()


def _appoint(bases: list[str], receipts: list[dict[str, Any]], keys: dict[str, str]) -> None:
    def appoint(n: int) -> None:
        receipt = receipts[n]
        headers = {"Authorization": f"Bearer {keys[receipt['centre_code']]}"}
        url = f"{bases[(n + 1) % 2]}/api/v1/requests/{receipt['id']}/appointment"
        response = requests.post(url, json=appointment(), headers=headers, timeout=30)
        assert response.status_code == 200, response.text

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(appoint, range(len(receipts))))


def _lease_holders(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT holder FROM leases WHERE name = 'deadlines'")))
