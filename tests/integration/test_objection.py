"""The justice bureau's decision on an objection (LAL 49), recorded over REST and told to the agency's webhook."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.registry import callback_contracts
from devtools.agency_simulator import WEBHOOK_SECRET, AgencySimulator, running_agency
from gateway.notify.callbacks import CallbackNotifier
from gateway.service.delivery import Deliverer, RetryPolicy
from gateway.service.ports import Callback
from tests.support.gateway import LiveGateway, example
from tests.support.moments import china_now

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

POLICE = "police-370203"
REFUSAL = {"outcome": "refused", "reason_code": "outside_scope", "reason": "不属于法律援助范围"}


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def test_an_order_to_correct_reopens_the_refused_application_and_the_forwarder_hears_it(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    gateway.services.agencies.set_callback(POLICE, Callback("webhook", f"{agency.base}/webhook", WEBHOOK_SECRET))
    posted = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    path, centre = f"/api/v1/requests/{posted['id']}", posted["centre_code"]
    gateway.post(path + "/decision", centre, REFUSAL | {"decided_at": china_now()})
    objection = {
        "lodged_at": china_now(),
        "decided_at": china_now(),
        "outcome": "corrected",
        "document_number": "青司法异〔2026〕12号",
    }

    before_it = gateway.post(path + "/objection", centre, objection | {"lodged_at": "2026-01-01T09:00:00+08:00"})
    by_the_agency = gateway.post(path + "/objection", POLICE, objection)
    corrected = gateway.post(path + "/objection", centre, objection)
    services = gateway.services
    Deliverer(
        services.deliveries,
        services.agencies,
        services.transitions,
        CallbackNotifier(callback_contracts(), services.clock.now),
        services.clock,
        RetryPolicy(first=timedelta(0)),
    ).run_once()

    assert before_it.status_code == 422 and by_the_agency.status_code == 403  # only a centre records it
    assert corrected.status_code == 200, corrected.text
    status = corrected.json()
    assert status["state"] == "queued"  # open again: to be reviewed anew
    assert (status["deadline"]["obligation"], status["deadline"]["basis"]) == ("decide_application", "LAL 49")
    assert status["objection"]["outcome"] == "corrected"
    assert [entry["event"] for entry in status["history"]][-2:] == ["declined", "objection_corrected"]
    told = [notice["json"] for notice in agency.received.values()]
    assert [notice["event"] for notice in told] == ["declined", "objection_corrected"]
    assert told[1]["objection"]["document_number"] == "青司法异〔2026〕12号"
