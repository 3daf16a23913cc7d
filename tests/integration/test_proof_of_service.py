"""The forwarder's proof of service (送达回证) over REST and SOAP, and on the events exchange (LAL 43 ¶1, 39)."""

import json
from datetime import datetime
from typing import Any

import pika
import pytest

from gateway.service.messages import EVENTS_EXCHANGE
from tests.support.gateway import LiveGateway, example, running_relay, wait_for
from tests.support.moments import china_now
from tests.support.soap import soap_client

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

POLICE = "police-370203"
REFUSAL = {"outcome": "refused", "reason_code": "hardship_not_met", "reason": "家庭人均月收入高于当地低保标准二倍"}


def _refused_application(gateway: LiveGateway) -> dict[str, Any]:
    posted: dict[str, Any] = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    early = gateway.post(f"/api/v1/requests/{posted['id']}/proof-of-service", POLICE, {"served_at": china_now()})
    assert early.status_code == 409  # nothing to serve before the decision
    refused = gateway.post(
        f"/api/v1/requests/{posted['id']}/decision", posted["centre_code"], REFUSAL | {"decided_at": china_now()}
    )
    assert refused.status_code == 200, refused.text
    return posted


def test_the_forwarder_records_over_rest_that_the_applicant_has_the_refusal(gateway: LiveGateway) -> None:
    posted = _refused_application(gateway)
    path = f"/api/v1/requests/{posted['id']}/proof-of-service"
    served_at = china_now()

    served = gateway.post(path, POLICE, {"served_at": served_at})
    again = gateway.post(path, POLICE, {"served_at": served_at})
    by_the_centre = gateway.post(path, posted["centre_code"], {"served_at": served_at})
    status = gateway.get(f"/api/v1/requests/{posted['id']}", POLICE).json()

    assert served.status_code == again.status_code == 200, served.text
    assert [entry["event"] for entry in status["history"]] == ["received", "declined", "served"]
    assert status["state"] == "declined"
    assert status["decision"]["reason_code"] == "hardship_not_met"
    assert by_the_centre.status_code == 404  # only the forwarding organ serves the applicant


def test_a_date_before_the_decision_is_a_422_and_changes_nothing(gateway: LiveGateway) -> None:
    posted = _refused_application(gateway)

    refused = gateway.post(
        f"/api/v1/requests/{posted['id']}/proof-of-service", POLICE, {"served_at": "2026-01-01T09:00:00+08:00"}
    )
    status = gateway.get(f"/api/v1/requests/{posted['id']}", POLICE).json()

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"served_at": ["before the decision was made"]}
    assert "served" not in [entry["event"] for entry in status["history"]]


def test_the_forwarder_records_it_with_zeep_and_the_centre_hears_it(gateway: LiveGateway, amqp_url: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.exchange_declare(EVENTS_EXCHANGE, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, EVENTS_EXCHANGE, "request.served")
    posted = _refused_application(gateway)
    _, proxy, _ = soap_client(gateway.base, "police", POLICE, gateway.keys[POLICE])

    status = proxy.ProveService(RequestId=posted["id"], ServedAt=datetime.fromisoformat(china_now()))
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    events = []
    while (got := channel.basic_get(queue, auto_ack=True))[0] is not None:
        events.append((got[0].routing_key, json.loads(got[2])["request_id"]))
    connection.close()

    assert status.State == "declined"
    assert [event.Event for event in status.History.Event][-1] == "served"
    assert events == [("request.served", posted["id"])]
