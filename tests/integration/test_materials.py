"""Missing materials (LAL 43 ¶2) end to end: asked over REST, supplied with zeep, on the assignment queue."""

import json
import time
from datetime import datetime, timedelta

import pytest

from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.rules.deadlines import CHINA_TZ
from tests.support.broker import drain_queue
from tests.support.gateway import LiveGateway, example, running_relay, wait_for
from tests.support.moments import china_now
from tests.support.soap import soap_client

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

POLICE = "police-370203"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _asked(gateway: LiveGateway, number: str, supply_in: timedelta) -> tuple[str, str]:
    body = example("police", "application-transfers.json")
    body["transfer_number"] += number
    posted = gateway.post("/api/v1/police/application-transfers", POLICE, body).json()
    now = datetime.now(CHINA_TZ)
    asked = {
        "requested_at": now.isoformat(),
        "items": ["家庭成员收入证明"],
        "supply_by": (now + supply_in).isoformat(),
    }
    response = gateway.post(f"/api/v1/requests/{posted['id']}/materials-request", posted["centre_code"], asked)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "awaiting_materials"
    return posted["id"], posted["centre_code"]


def test_the_police_supply_with_zeep_and_the_centre_gets_the_documents_after_the_application(
    gateway: LiveGateway, amqp_url: str
) -> None:
    request_id, centre = _asked(gateway, "-m1", timedelta(days=5))
    again = gateway.post(
        f"/api/v1/requests/{request_id}/materials-request",
        centre,
        {"requested_at": china_now(), "items": ["又一项"], "supply_by": "2026-12-31T17:00:00+08:00"},
    )
    _, proxy, _ = soap_client(gateway.base, "police", POLICE, gateway.keys[POLICE])

    status = proxy.SupplyMaterials(
        RequestId=request_id,
        SuppliedAt=datetime.now(CHINA_TZ),
        Documents={"Document": [{"Title": "家庭成员收入证明", "Url": "https://dossier.example/d/1", "Sha256": SHA}]},
    )
    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    messages = [(method.routing_key, json.loads(body)) for method, _, body in drain_queue(amqp_url, ASSIGNMENT_QUEUE)]

    assert again.status_code == 409  # LAL 43 ¶2: asked for once
    assert status.State == "queued" and status.Deadline.Obligation == "decide_application"
    assert [key for key, _ in messages] == ["application_transfer." + centre, "materials." + centre]
    supplied = messages[1][1]
    assert supplied["request_id"] == request_id and supplied["schema"] == "legalaid.materials/1"
    assert supplied["documents"][0]["sha256"] == SHA


def test_nothing_supplied_by_the_date_and_the_application_is_deemed_withdrawn(gateway: LiveGateway) -> None:
    request_id, _ = _asked(gateway, "-m2", timedelta(seconds=1))
    time.sleep(1.5)

    result = gateway.services.deadlines.run_once()
    status = gateway.get(f"/api/v1/requests/{request_id}", POLICE).json()
    late = gateway.post(
        f"/api/v1/requests/{request_id}/materials",
        POLICE,
        {
            "supplied_at": china_now(),
            "documents": [{"title": "证明", "url": "https://dossier.example/d/2", "sha256": SHA}],
        },
    )

    assert result.deemed_withdrawn == 1
    assert status["state"] == "withdrawn"
    assert [entry["event"] for entry in status["history"]][-1] == "deemed_withdrawn"
    assert late.status_code == 409
