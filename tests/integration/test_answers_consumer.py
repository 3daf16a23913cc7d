"""Answers from the centre's assignment system over RabbitMQ: once each, poison dead-lettered, nothing lost."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from typing import Any

import pika
import pytest
import sqlalchemy as sa

from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
from devtools.demo import DEMO_AGENCIES
from gateway.domain.enums import AgencyType, Channel
from gateway.messaging.answers_consumer import AnswersConsumer
from gateway.messaging.relay import Backoff
from gateway.messaging.topology import APPOINTMENTS_QUEUE, DEAD_LETTER_QUEUE, declare_topology
from gateway.service.ports import RawPayload
from gateway.store.tables import answers
from tests.support.broker import drain_queue, queue_depth
from tests.support.gateway import LiveGateway, example, wait_for
from tests.support.log_guard import output_file
from tests.support.moments import china_now
from tests.support.personal_data import register

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

CENTRE = "lac370202"
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}


def appointment() -> dict[str, Any]:
    """An appointment dated now: after the request it answers."""
    return {"lawyer": LAWYER, "appointed_at": china_now()}


def _requests(gateway: LiveGateway, count: int) -> list[str]:
    court = DEMO_AGENCIES[0].agency
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(example("court", "defense-notices.json")))
    raw = RawPayload("application/json", b"{}")
    return [
        gateway.services.intake.accept(
            court, AgencyType.COURT, Channel.REST, replace(submission, reference=f"n-{n}"), raw
        ).request_id
        for n in range(count)
    ]


def _publish(amqp_url: str, messages: list[tuple[str | None, bytes]]) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    declare_topology(channel)
    channel.confirm_delivery()
    for message_id, body in messages:
        channel.basic_publish(
            "", APPOINTMENTS_QUEUE, body, pika.BasicProperties(message_id=message_id, delivery_mode=2)
        )
    connection.close()


def _answer(request_id: str, kind: str = "appointment", body: dict[str, Any] | None = None) -> bytes:
    message = {
        "schema": "legalaid.answer/1",
        "type": kind,
        "request_id": request_id,
        "centre_code": CENTRE,
        "body": body or appointment(),
    }
    return json.dumps(message).encode()


def _answers_stored(gateway: LiveGateway) -> int:
    with gateway.services.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(answers)) or 0)


NAME, ID_NUMBER = "赵小红", "370202199203040028"
PERSON = NAME + ID_NUMBER
register(NAME, ID_NUMBER)  # the session's log guard looks for them in every log line


def test_duplicates_apply_once_and_poison_is_dead_lettered(gateway: LiveGateway, amqp_url: str) -> None:
    first, second = _requests(gateway, 2)
    decision = {"outcome": "granted", "decided_at": china_now()}
    _publish(
        amqp_url,
        [
            ("m-1", _answer(first)),
            ("m-1", _answer(first)),  # the same message again
            ("m-2", b"{not json"),
            ("m-3", _answer(second, "decision", decision)),  # a notice is never decided: illegal
            (None, _answer(second)),  # no message_id: cannot be applied exactly once
            # A person's name and ID number where the message's own values go: never in the log or the reason.
            ("m-4", _answer(second)[:-1] + f', "{PERSON}": 1}}'.encode()),
            ("m-5", _answer(PERSON)),
        ],
    )
    services = gateway.services
    consumer = AnswersConsumer(amqp_url, services.answers, services.agencies, services.requests)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop, Backoff(0.05, 0.5)), daemon=True)
    thread.start()
    try:
        wait_for(lambda: queue_depth(amqp_url, DEAD_LETTER_QUEUE) == 5, what="five dead letters")
        wait_for(lambda: queue_depth(amqp_url, APPOINTMENTS_QUEUE) == 0, what="queue drained")
    finally:
        stop.set()
        thread.join(10)

    assert _answers_stored(gateway) == 1
    assert services.requests.get(first).state == "assigned"
    assert services.requests.get(second).state == "received"
    dead = {
        properties.message_id or "-": properties.headers["x-lagw-reason"]
        for _, properties, _ in drain_queue(amqp_url, DEAD_LETTER_QUEUE)
    }
    assert sorted(dead) == ["-", "m-2", "m-3", "m-4", "m-5"]
    assert "(an undeclared field)" in dead["m-4"] and dead["m-5"] == "request-not-found"
    assert not any(NAME in reason or ID_NUMBER in reason for reason in dead.values())
    assert "message_id" in dead["-"]
    assert "not a legalaid.answer/1 message" in dead["m-2"]
    assert dead["m-3"].startswith("illegal-transition")


def _consumer_process(gateway: LiveGateway, amqp_url: str) -> subprocess.Popen[bytes]:
    settings = gateway.services.settings
    env = {
        **os.environ,
        "LAGW_DATABASE_URL": settings.database_url,
        "LAGW_AMQP_URL": amqp_url,
        "LAGW_CREDENTIAL_KEY": settings.credential_key,
        "LAGW_ID_HASH_KEY": settings.id_hash_key,
    }
    with output_file("lagw answers") as log:  # its log is checked for personal data at the end of the session
        return subprocess.Popen(
            [sys.executable, "-m", "gateway.cli.main", "answers"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )


@pytest.mark.slow
def test_nothing_is_lost_or_applied_twice_when_the_consumer_is_killed_mid_batch(
    gateway: LiveGateway, amqp_url: str
) -> None:
    request_ids = _requests(gateway, 150)
    _publish(amqp_url, [(f"a-{n}", _answer(request_id)) for n, request_id in enumerate(request_ids)])

    first = _consumer_process(gateway, amqp_url)
    wait_for(lambda: _answers_stored(gateway) >= 20, timeout=30, what="some answers applied")
    first.send_signal(signal.SIGKILL)  # mid-batch: some messages delivered, not yet acknowledged
    first.wait(10)
    applied_before_restart = _answers_stored(gateway)
    second = _consumer_process(gateway, amqp_url)
    try:
        wait_for(
            lambda: _answers_stored(gateway) == 150 and queue_depth(amqp_url, APPOINTMENTS_QUEUE) == 0,
            timeout=60,
            what="every answer applied",
        )
        time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(15)

    assert 20 <= applied_before_restart < 150
    assert _answers_stored(gateway) == 150
    assert {gateway.services.requests.get(r).state for r in request_ids} == {"assigned"}
    assert queue_depth(amqp_url, DEAD_LETTER_QUEUE) == 0
