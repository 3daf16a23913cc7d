"""Per-agency rate limits over live REST and SOAP: one agency's flood is its own; the others keep going."""

import copy
import threading
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import requests
from zeep.exceptions import Fault

from gateway.web.soap.envelope import SOAP11, SOAP12
from tests.support.gateway import LiveGateway, example, running_gateway
from tests.support.soap import fault_of, post_envelope, sample_envelope, soap_client

pytestmark = pytest.mark.integration

COURT, POLICE = "court-370202", "police-370203"
COURT_PATH = "/api/v1/court/defense-notices"
POLICE_PATH = "/api/v1/police/duty-lawyer-requests"
LIMIT = "3 per 2 seconds"
_numbers = count(1)


@pytest.fixture
def gateway(tmp_path: Path, amqp_url: str) -> Iterator[LiveGateway]:
    with running_gateway(tmp_path, amqp_url, settings={"rate_limit": LIMIT}) as running:
        yield running


def _court_notice() -> dict[str, Any]:
    body = copy.deepcopy(example("court", "defense-notices.json"))
    body["notice_number"] = f"（2026）鲁0202刑初{next(_numbers)}号-通知辩护"
    return body


def _police_request() -> dict[str, Any]:
    body = copy.deepcopy(example("police", "duty-lawyer-requests.json"))
    body["request_number"] = f"青公市北法助〔2026〕{next(_numbers)}号"
    return body


def _assert_rate_limited(response: Any) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/rate-limited"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 2
    return retry_after


def test_an_agency_over_its_limit_gets_429_and_another_agency_still_gets_202(gateway: LiveGateway) -> None:
    accepted = [gateway.post(COURT_PATH, COURT, _court_notice()).status_code for _ in range(3)]
    before = gateway.row_counts()

    over = gateway.post(COURT_PATH, COURT, _court_notice())
    other = gateway.post(POLICE_PATH, POLICE, _police_request())

    assert accepted == [202, 202, 202]
    _assert_rate_limited(over)
    assert "court-370202" in over.json()["detail"]
    assert other.status_code == 202, other.text
    assert gateway.row_counts()["requests"] == before["requests"] + 1  # the police request only


def test_the_limit_resets_after_retry_after(gateway: LiveGateway) -> None:
    for _ in range(3):
        gateway.post(COURT_PATH, COURT, _court_notice())
    retry_after = _assert_rate_limited(gateway.post(COURT_PATH, COURT, _court_notice()))

    time.sleep(retry_after + 0.1)

    assert gateway.post(COURT_PATH, COURT, _court_notice()).status_code == 202


def test_every_authenticated_call_counts_refused_ones_too(gateway: LiveGateway) -> None:
    statuses = [gateway.post(COURT_PATH, COURT, {"notice_number": "x"}).status_code for _ in range(3)]
    before = gateway.row_counts()

    assert statuses == [422, 422, 422]
    _assert_rate_limited(gateway.post(COURT_PATH, COURT, _court_notice()))
    _assert_rate_limited(gateway.get("/api/v1/requests/00000000-0000-0000-0000-000000000000", COURT))
    assert gateway.row_counts() == before


def test_a_flooding_client_cannot_starve_another_agency(gateway: LiveGateway) -> None:
    stop, refused = threading.Event(), threading.Event()
    flood: list[int] = []

    def hammer() -> None:
        while not stop.is_set():
            flood.append(gateway.post(COURT_PATH, COURT, _court_notice()).status_code)
            if flood[-1] == 429:
                refused.set()

    thread = threading.Thread(target=hammer, daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        assert refused.wait(timeout=30), flood  # the flood has used up its own allowance
        others = [gateway.post(POLICE_PATH, POLICE, _police_request()).status_code for _ in range(3)]
    finally:
        stop.set()
        thread.join(timeout=10)
    windows = 1 + int((time.monotonic() - started) // 2)  # LIMIT: 3 in any moving window of 2 seconds

    assert others == [202, 202, 202]
    assert flood.count(202) <= 3 * windows, flood


@pytest.mark.parametrize(("version", "fault"), [(SOAP11, "Client"), (SOAP12, "Sender")], ids=["1.1", "1.2"])
def test_soap_over_the_limit_is_a_fault_with_429_and_retry_after(
    gateway: LiveGateway, version: Any, fault: str
) -> None:
    envelope = sample_envelope("court", "NotifyDefense", version, COURT, gateway.keys[COURT])
    first = [post_envelope(gateway.base, "court", envelope, version).status_code for _ in range(3)]
    before = gateway.row_counts()

    over = post_envelope(gateway.base, "court", envelope, version)
    answer = fault_of(over)

    assert first == [200, 200, 200]  # one new notice, then resends
    assert (answer["status"], answer["fault"], answer["code"]) == (429, fault, "rate-limited")
    assert answer["content_type"] == version.media_type
    assert 1 <= int(over.headers["Retry-After"]) <= 2
    assert gateway.row_counts() == before


def test_the_problem_type_resolves_to_its_description(gateway: LiveGateway) -> None:
    described = requests.get(gateway.base + "/problems/rate-limited", timeout=10).json()
    assert (described["status"], described["title"]) == (429, "Too many requests")
    assert "Retry-After" in described["description"]


def test_zeep_reads_the_rate_limit_fault(gateway: LiveGateway) -> None:
    _, proxy, _ = soap_client(gateway.base, "court", COURT, gateway.keys[COURT])
    missing = "00000000-0000-0000-0000-000000000000"
    for _ in range(3):
        with pytest.raises(Fault):
            proxy.GetStatus(RequestId=missing)  # request-not-found, and counted

    with pytest.raises(Fault) as refused:
        proxy.GetStatus(RequestId=missing)

    assert refused.value.detail.findtext("{*}GatewayFault/{*}Code") == "rate-limited"
