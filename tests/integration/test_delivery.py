"""Notices back to the agency in its own protocol: SOAP callback through zeep, signed webhook, retries, parking."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.registry import callback_contracts
from devtools.agency_simulator import PASSWORD, USERNAME, WEBHOOK_SECRET, AgencySimulator, running_agency
from gateway.cli.main import main as cli
from gateway.notify.callbacks import CallbackNotifier
from gateway.service.delivery import Deliverer, RetryPolicy
from gateway.service.ports import Callback
from tests.support.gateway import LiveGateway, example
from tests.support.moments import china_now

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

COURT, POLICE = "court-370202", "police-370203"
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}


def appointment() -> dict[str, Any]:
    """An appointment dated now: after the request it answers."""
    return {"lawyer": LAWYER, "appointed_at": china_now()}


@pytest.fixture
def agency() -> Iterator[AgencySimulator]:
    with running_agency() as sim:
        yield sim


def _deliverer(gateway: LiveGateway, **policy: Any) -> Deliverer:
    services = gateway.services
    retry = RetryPolicy(first=timedelta(0), **policy)
    return Deliverer(
        services.deliveries,
        services.agencies,
        services.transitions,
        CallbackNotifier(callback_contracts(), services.clock.now),
        services.clock,
        retry,
    )


def _assigned_court_notice(gateway: LiveGateway) -> str:
    receipt = gateway.post("/api/v1/court/defense-notices", COURT, example("court", "defense-notices.json")).json()
    answered = gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], appointment())
    assert answered.status_code == 200, answered.text
    request_id: str = receipt["id"]
    return request_id


def _soap_court(gateway: LiveGateway, agency: AgencySimulator) -> None:
    callback = Callback(kind="soap", url=agency.wsdl_url("court"), secret=PASSWORD, username=USERNAME)
    gateway.services.agencies.set_callback(COURT, callback)


def test_the_court_is_told_its_lawyer_through_its_soap_callback(gateway: LiveGateway, agency: AgencySimulator) -> None:
    _soap_court(gateway, agency)
    request_id = _assigned_court_notice(gateway)

    tried = _deliverer(gateway).run_once()
    again = _deliverer(gateway).run_once()

    assert (tried, again) == (1, 0)
    [(key, notice)] = agency.received.items()
    element = notice["element"]
    assert element.findtext("{*}NoticeNumber") == example("court", "defense-notices.json")["notice_number"]
    assert element.findtext("{*}Appointment/{*}Lawyer/{*}Name") == "周律师"
    assert element.findtext("{*}RequestId") == request_id and key.startswith(request_id)
    status = gateway.get(f"/api/v1/requests/{request_id}", COURT).json()
    assert status["state"] == "informed"
    assert [entry["event"] for entry in status["history"]] == ["received", "assigned", "informed"]


def test_a_webhook_carries_a_signature_the_agency_verifies(gateway: LiveGateway, agency: AgencySimulator) -> None:
    callback = Callback(kind="webhook", url=f"{agency.base}/webhook", secret=WEBHOOK_SECRET)
    gateway.services.agencies.set_callback(POLICE, callback)
    posted = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    refusal = {
        "outcome": "refused",
        "decided_at": china_now(),
        "reason_code": "hardship_not_met",
        "reason": "经济状况不符合标准",
    }
    gateway.post(f"/api/v1/requests/{posted['id']}/decision", posted["centre_code"], refusal)

    _deliverer(gateway).run_once()

    [(key, notice)] = agency.received.items()
    assert notice["json"]["decision"]["outcome"] == "refused"
    assert notice["json"]["idempotency_key"] == key and notice["calls"] == 1
    assert gateway.get(f"/api/v1/requests/{posted['id']}", POLICE).json()["state"] == "declined"


def test_a_wrong_webhook_secret_is_refused_by_the_agency_and_retried(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    gateway.services.agencies.set_callback(POLICE, Callback(kind="webhook", url=f"{agency.base}/webhook", secret="x"))
    posted = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    gateway.post(
        f"/api/v1/requests/{posted['id']}/decision",
        posted["centre_code"],
        {"outcome": "granted", "decided_at": china_now()},
    )

    _deliverer(gateway, max_attempts=2).run_once()

    [delivery] = gateway.services.deliveries.find(request_id=posted["id"])
    assert agency.received == {}
    assert delivery.state == "parked"
    assert [a.http_status for a in gateway.services.deliveries.attempts(delivery.id)] == [401, 401]


def test_an_agency_down_for_a_while_gets_the_notice_once_it_is_back(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    _soap_court(gateway, agency)
    request_id = _assigned_court_notice(gateway)
    deliverer = _deliverer(gateway, max_attempts=5)
    agency.failing = 503
    deliverer.run_once()  # all 5 attempts fail while it is down … then parked
    [delivery] = gateway.services.deliveries.find(request_id=request_id)
    assert delivery.state == "parked" and agency.received == {}

    listed = CliRunner().invoke(cli, ["deliveries", "list", "--parked"], env=_env(gateway))
    agency.failing = None
    retried = CliRunner().invoke(cli, ["deliveries", "retry", str(delivery.id)], env=_env(gateway))
    deliverer.run_once()

    assert listed.exit_code == 0 and f"{delivery.id}\tparked\t{COURT}" in listed.output
    assert retried.exit_code == 0, retried.output
    attempts = gateway.services.deliveries.attempts(delivery.id)
    assert [a.outcome for a in attempts] == ["failed"] * 5 + ["delivered"]
    assert [a.http_status for a in attempts[:5]] == [503] * 5
    assert [notice["calls"] for notice in agency.received.values()] == [1]
    assert gateway.get(f"/api/v1/requests/{request_id}", COURT).json()["state"] == "informed"


def test_a_replacement_reaches_the_agency_after_the_first_appointment_and_only_it_informs(
    gateway: LiveGateway, agency: AgencySimulator
) -> None:
    _soap_court(gateway, agency)
    request_id = _assigned_court_notice(gateway)
    replacement = {
        **appointment(),
        "lawyer": {**LAWYER, "name": "吴律师"},
        "replacement_reason": "conflict_of_interest",
    }
    replaced = gateway.post(f"/api/v1/requests/{request_id}/replacement", "lac370202", replacement)
    assert replaced.status_code == 200, replaced.text

    _deliverer(gateway).run_once()

    lawyers = [n["element"].findtext("{*}Appointment/{*}Lawyer/{*}Name") for n in agency.received.values()]
    assert lawyers == ["周律师", "吴律师"]  # in the order the centre gave them
    history = gateway.get(f"/api/v1/requests/{request_id}", COURT).json()["history"]
    assert [entry["event"] for entry in history] == ["received", "assigned", "replaced", "informed"]


def test_a_notice_that_breaks_the_sender_is_recorded_and_does_not_block_the_next(
    gateway: LiveGateway, agency: AgencySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _soap_court(gateway, agency)
    request_id = _assigned_court_notice(gateway)
    deliverer = _deliverer(gateway, max_attempts=1)
    monkeypatch.setattr(deliverer._notifier._soap, "send", lambda *args: 1 / 0)  # type: ignore[attr-defined]

    deliverer.run_once()

    [delivery] = gateway.services.deliveries.find(request_id=request_id)
    assert delivery.state == "parked" and "ZeroDivisionError" in (delivery.last_error or "")


def test_retries_back_off_exponentially_with_jitter_and_stop_at_the_cap() -> None:
    from datetime import UTC, datetime

    policy = RetryPolicy(first=timedelta(seconds=10), maximum=timedelta(minutes=5), max_attempts=6)
    now = datetime(2026, 11, 25, tzinfo=UTC)

    delays = [(policy.retry_at(now, n) - now).total_seconds() for n in range(1, 6)]  # type: ignore[operator]

    assert all(
        low <= d <= high
        for d, (low, high) in zip(delays, [(5, 10), (10, 20), (20, 40), (40, 80), (80, 160)], strict=True)
    )
    assert policy.retry_at(now, 6) is None


def _env(gateway: LiveGateway) -> dict[str, str]:
    settings = gateway.services.settings
    return {"LAGW_DATABASE_URL": settings.database_url, "LAGW_CREDENTIAL_KEY": settings.credential_key}
