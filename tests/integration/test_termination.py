"""Termination (LAL 48) from the API and the queue, told to the agency through its SOAP callback."""

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pika
import pytest
import requests

from adapters.registry import callback_contracts
from devtools.agency_simulator import PASSWORD, USERNAME, AgencySimulator, running_agency
from gateway.messaging.answers_consumer import AnswersConsumer
from gateway.messaging.relay import Backoff
from gateway.messaging.topology import APPOINTMENTS_QUEUE, declare_topology
from gateway.notify.callbacks import CallbackNotifier
from gateway.service.delivery import Deliverer, RetryPolicy
from gateway.service.ports import Callback
from tests.support.broker import queue_depth
from tests.support.gateway import LiveGateway, example, wait_for
from tests.support.moments import china_now

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

COURT = "court-370202"
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def _assigned_notice(gateway: LiveGateway, number: str) -> tuple[str, str]:
    notice = example("court", "defense-notices.json") | {"notice_number": number}
    receipt = gateway.post("/api/v1/court/defense-notices", COURT, notice).json()
    answer = {"lawyer": LAWYER, "appointed_at": china_now()}
    assert gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], answer).ok
    return receipt["id"], receipt["centre_code"]


def _deliverer(gateway: LiveGateway) -> Deliverer:
    services = gateway.services
    return Deliverer(
        services.deliveries,
        services.agencies,
        services.transitions,
        CallbackNotifier(callback_contracts(), services.clock.now),
        services.clock,
        RetryPolicy(first=timedelta(0)),
    )


def _termination(ground: str = "lawyer_retained") -> dict[str, Any]:
    return {"ground": ground, "terminated_at": china_now(), "reason": "被告人已自行委托辩护律师"}


def test_the_court_hears_of_the_termination_through_its_soap_callback(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    callback = Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
    gateway.services.agencies.set_callback(COURT, callback)
    request_id, centre = _assigned_notice(gateway, "（2026）鲁0202刑初900号")
    deliverer = _deliverer(gateway)
    deliverer.run_once()  # the appointment: the court is informed

    terminated = gateway.post(f"/api/v1/requests/{request_id}/termination", centre, _termination())
    too_late = gateway.post(
        f"/api/v1/requests/{request_id}/appointment", centre, {"lawyer": LAWYER, "appointed_at": china_now()}
    )
    deliverer.run_once()

    assert terminated.status_code == 200, terminated.text
    assert too_late.status_code == 409  # ended aid takes no new lawyer
    told = [notice["element"] for notice in agency.received.values()]
    assert [element.findtext("{*}Event") for element in told] == ["assigned", "terminated"]
    assert told[1].findtext("{*}Termination/{*}Ground") == "lawyer_retained"
    assert told[1].findtext("{*}Termination/{*}Reason") == "被告人已自行委托辩护律师"
    status = gateway.get(f"/api/v1/requests/{request_id}", COURT).json()
    assert (status["state"], status["termination"]["ground"]) == ("terminated", "lawyer_retained")
    assert [entry["event"] for entry in status["history"]] == ["received", "assigned", "informed", "terminated"]


def test_an_agency_on_a_callback_contract_from_before_termination_still_hears_the_event(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    current = requests.get(agency.wsdl_url("court"), timeout=5).content
    older = re.sub(rb'<xs:element name="Termination".*?</xs:element>', b"", current, flags=re.S)
    assert b'<xs:element name="Termination"' not in older and b'<xs:element name="Termination"' in current
    callback = Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME, wsdl=older)
    gateway.services.agencies.set_callback(COURT, callback)
    request_id, centre = _assigned_notice(gateway, "（2026）鲁0202刑初902号")
    gateway.post(f"/api/v1/requests/{request_id}/termination", centre, _termination())

    _deliverer(gateway).run_once()

    told = [notice["element"] for notice in agency.received.values()]
    assert [element.findtext("{*}Event") for element in told] == ["assigned", "terminated"]
    assert told[1].find("{*}Termination") is None  # its contract has no room for it: GetStatus has it


def test_the_assignment_system_terminates_over_the_queue(gateway: LiveGateway, amqp_url: str) -> None:
    request_id, centre = _assigned_notice(gateway, "（2026）鲁0202刑初901号")
    message = {
        "schema": "legalaid.answer/1",
        "type": "termination",
        "request_id": request_id,
        "centre_code": centre,
        "body": _termination("case_ended"),
    }
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    declare_topology(channel)
    channel.confirm_delivery()
    for _ in range(2):  # a redelivered answer is applied once
        properties = pika.BasicProperties(message_id="t-901", delivery_mode=2)
        channel.basic_publish("", APPOINTMENTS_QUEUE, json.dumps(message).encode(), properties)
    connection.close()
    services = gateway.services
    consumer = AnswersConsumer(amqp_url, services.answers, services.agencies, services.requests)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop, Backoff(0.05, 0.5)), daemon=True)
    thread.start()
    try:
        wait_for(lambda: services.requests.get(request_id).state == "terminated", what="terminated")  # type: ignore[union-attr]
        wait_for(lambda: queue_depth(amqp_url, APPOINTMENTS_QUEUE) == 0, what="queue drained")
    finally:
        stop.set()
        thread.join(10)

    status = gateway.get(f"/api/v1/requests/{request_id}", COURT).json()
    assert status["termination"]["ground"] == "case_ended"
    assert [entry["event"] for entry in status["history"]].count("terminated") == 1
