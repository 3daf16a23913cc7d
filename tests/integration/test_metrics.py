"""`/metrics` scraped as Prometheus would: intake by agency, kind, channel and outcome; the pipeline's gauges;
and the counts of every gunicorn worker added up."""

import copy
import json
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.registry import kinds_for
from devtools.demo import DEMO_AGENCIES, DEMO_CENTRES
from gateway.app import create_app
from gateway.bootstrap import build_services
from gateway.config import Settings
from gateway.domain.enums import AgencyType, Level
from gateway.domain.model import Agency
from gateway.rules.deadlines import CHINA_TZ
from gateway.web.soap.envelope import SOAP11
from tests.support.gateway import LiveGateway, example
from tests.support.processes import LagwProcesses
from tests.support.soap import post_envelope, sample_envelope
from tests.unit.fakes import FixedClock

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

COURT, PROC = "court-370202", "proc-370200"
COURT_NOTICES = "/api/v1/court/defense-notices"


def scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    response = requests.get(base + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def intake(samples: dict[Any, float], agency: str, kind: str, channel: str, outcome: str) -> float:
    labels = (("agency", agency), ("channel", channel), ("kind", kind), ("outcome", outcome))
    return samples.get(("lagw_intake_total", labels), 0.0)


def _notice(n: int | str) -> dict[str, Any]:
    body = copy.deepcopy(example("court", "defense-notices.json"))
    body["notice_number"] = f"{body['notice_number']}-metrics-{n}"
    return body


def test_intake_outcomes_latency_and_the_pipeline_gauges(gateway: LiveGateway) -> None:
    before = scrape(gateway.base)
    started = time.time()
    first = gateway.post(COURT_NOTICES, COURT, _notice(1))
    resend = gateway.post(COURT_NOTICES, COURT, _notice(1))
    refused = gateway.post(COURT_NOTICES, COURT, {"notice_number": "incomplete"})
    envelope = sample_envelope("procuratorate", "NotifyDefense", SOAP11, PROC, gateway.keys[PROC])
    by_soap = post_envelope(gateway.base, "procuratorate", envelope)
    stranger = requests.post(gateway.base + COURT_NOTICES, json=_notice(2), timeout=10)
    wrong_key = sample_envelope("procuratorate", "NotifyDefense", SOAP11, PROC, "not-the-key")
    soap_stranger = post_envelope(gateway.base, "procuratorate", wrong_key)

    after = scrape(gateway.base)
    elapsed = time.time() - started

    assert [first.status_code, resend.status_code, refused.status_code, by_soap.status_code] == [202, 200, 422, 200]
    assert stranger.status_code == 401

    def grew(*labels: str) -> float:
        return intake(after, *labels) - intake(before, *labels)

    assert grew(COURT, "notify_defense", "rest", "accepted") == 1
    assert grew(COURT, "notify_defense", "rest", "resend") == 1
    assert grew(COURT, "unknown", "rest", "validation-failed") == 1  # refused before it was read as a kind
    assert grew(PROC, "notify_defense", "soap", "accepted") == 1
    assert soap_stranger.status_code == 500
    assert grew("unidentified", "unknown", "soap", "unauthenticated") == 1  # refused before its operation was read
    assert grew("unidentified", "unknown", "rest", "unauthenticated") == 1
    rest_latency = ("lagw_intake_duration_seconds_count", (("channel", "rest"),))
    assert after[rest_latency] - before.get(rest_latency, 0) == 4
    assert after[("lagw_outbox_unsent", ())] == 2  # no relay runs: both new notices wait in the outbox
    # The first notice's row waits since it was written: at least as long as the calls after it, never longer
    # than the whole test (a wrong clock or unit, or the newest row instead of the oldest, falls outside).
    assert 0 < after[("lagw_outbox_oldest_unsent_age_seconds", ())] <= elapsed
    assert after[("lagw_audit_unlinked", ())] == 2  # no sequencer runs: the two notices' records wait
    assert after[("lagw_audit_oldest_unlinked_age_seconds", ())] > 0
    assert (after[("lagw_store_up", ())], after[("lagw_broker_up", ())]) == (1, 1)
    assert after[("lagw_deadlines", (("status", "missed"),))] == 0
    assert after[("lagw_deliveries", (("state", "parked"),))] == 0


def test_a_scrape_adds_up_the_counts_of_every_gunicorn_worker(tmp_path: Path, amqp_url: str) -> None:
    env = {
        "LAGW_DATABASE_URL": f"sqlite:///{tmp_path}/gateway.sqlite3",
        "LAGW_AMQP_URL": amqp_url,
        "LAGW_RATE_LIMIT": "",
        "PROMETHEUS_MULTIPROC_DIR": "",  # `lagw serve` makes its own
    }
    services = build_services(Settings.from_env(env))
    keys = {demo.agency.code: services.agencies.add(demo.agency) for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)}
    services.engine.dispose()
    processes = LagwProcesses(env, tmp_path)
    try:
        base = processes.serve(workers=2, threads=4)
        headers = {"Authorization": f"Bearer {keys[COURT]}", "Content-Type": "application/json"}
        tag = uuid.uuid4().hex[:6]
        for n in range(30):  # new connections, so both workers take some
            body = json.dumps(_notice(f"{tag}-{n}"), ensure_ascii=False).encode()
            assert requests.post(base + COURT_NOTICES, data=body, headers=headers, timeout=10).status_code == 202
        scrapes = [intake(scrape(base), COURT, "notify_defense", "rest", "accepted") for _ in range(6)]
    finally:
        processes.stop_all()

    assert scrapes == [30.0] * 6, scrapes  # whichever worker answers the scrape


def _metrics_app(tmp_path: Path, **settings: Any) -> FlaskClient:
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/metrics.sqlite3", **settings))
    return create_app(services=services).test_client()


def test_with_a_token_set_a_scrape_needs_it(tmp_path: Path) -> None:
    client = _metrics_app(tmp_path, metrics_token="scrape-secret-1")

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2"})
    right = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.get_json()["code"] == "unauthenticated"
    assert "agency" not in missing.get_data(as_text=True)
    assert right.status_code == 200 and "lagw_store_up" in right.get_data(as_text=True)


def test_without_a_token_only_the_hosts_loopback_is_answered(tmp_path: Path) -> None:
    client = _metrics_app(tmp_path, trusted_proxies=("127.0.0.2",))

    local = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.1.9"})
    through_proxy = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.2"})

    assert local.status_code == 200
    assert (remote.status_code, through_proxy.status_code) == (403, 403)
    assert remote.get_json()["code"] == "not-from-this-address"


def test_a_deadline_in_a_year_without_its_holiday_notice_is_flagged_in_the_status_and_counted(
    tmp_path: Path,
) -> None:
    # CPL 105 moves a period's end past holidays only the State Council's notice names; 2027's is not loaded, so
    # a notice received on 29 December 2026 gets a deadline in 2027 computed without it, and says so.
    clock = FixedClock(datetime(2026, 12, 29, 10, 0, tzinfo=CHINA_TZ))
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/calendar.sqlite3"), clock=clock)
    city_court = Agency(
        "court-370200", "青岛市中级人民法院", AgencyType.COURT, Level.CITY, "370200", kinds_for(AgencyType.COURT)
    )
    agencies = (*(demo.agency for demo in (*DEMO_AGENCIES, *DEMO_CENTRES)), city_court)
    keys = {agency.code: services.agencies.add(agency) for agency in agencies}
    client = create_app(services=services).test_client()
    court, other, centre = ({"Authorization": f"Bearer {keys[code]}"} for code in (COURT, city_court.code, "lac370200"))

    first = client.post(COURT_NOTICES, json=_notice("2027"), headers=court)
    again = client.post(COURT_NOTICES, json=_notice("2027-again"), headers=other)  # the same person, another court
    as_sender = client.get(f"/api/v1/requests/{again.get_json()['id']}", headers=other).get_json()
    as_centre = client.get(f"/api/v1/requests/{again.get_json()['id']}", headers=centre).get_json()
    scraped = {
        sample.name: sample.value
        for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
        for sample in family.samples
    }

    assert (first.status_code, again.status_code) == (202, 202)
    assert first.get_json()["deadline"]["due_at"].startswith("2027-01-")
    assert sorted(as_centre["flags"]) == ["calendar_unconfirmed", "probable_duplicate"]
    # Another request for the same person is the centre's business: the sender does not learn of it.
    assert as_sender["flags"] == ["calendar_unconfirmed"]
    assert scraped["lagw_deadlines_calendar_unconfirmed"] == 2
    services.engine.dispose()
