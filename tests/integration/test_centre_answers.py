"""The centre's answers through the API: appointments, decisions, replacements, and what is refused."""

import json
from datetime import date, timedelta
from typing import Any

import pika
import pytest

from gateway.service.messages import EVENTS_EXCHANGE
from tests.support.gateway import LiveGateway, example, running_relay, wait_for
from tests.support.moments import china_now
from tests.support.soap import soap_client

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

COURT, POLICE, PROC = "court-370202", "police-370203", "proc-370200"
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
    "years_of_practice": 6,
}


def appointment() -> dict[str, Any]:
    """An appointment dated now: after the request it answers."""
    return {"lawyer": LAWYER, "appointed_at": china_now()}


def _court_notice(gateway: LiveGateway, **changes: Any) -> dict[str, Any]:
    notice = {**example("court", "defense-notices.json"), **changes}
    response = gateway.post("/api/v1/court/defense-notices", COURT, notice)
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def test_the_centre_appoints_a_lawyer_and_the_court_sees_it_over_rest_and_soap(gateway: LiveGateway) -> None:
    receipt = _court_notice(gateway)

    answered = gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], appointment())

    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "assigned"
    seen = gateway.get(f"/api/v1/requests/{receipt['id']}", COURT).json()
    assert seen["appointment"]["lawyer"]["licence_number"] == LAWYER["licence_number"]
    assert [entry["event"] for entry in seen["history"]] == ["received", "assigned"]
    _, proxy, _ = soap_client(gateway.base, "court", COURT, gateway.keys[COURT])
    status = proxy.GetStatus(RequestId=receipt["id"])
    assert (status.State, status.Appointment.Lawyer.Name) == ("assigned", "周律师")


def test_illegal_transitions_are_refused_and_change_nothing(gateway: LiveGateway) -> None:
    receipt = _court_notice(gateway)
    centre = receipt["centre_code"]
    path = f"/api/v1/requests/{receipt['id']}"
    assert gateway.post(path + "/appointment", centre, appointment()).status_code == 200
    before = gateway.row_counts()

    twice = gateway.post(path + "/appointment", centre, appointment())
    decided = gateway.post(path + "/decision", centre, {"outcome": "granted", "decided_at": china_now()})

    assert (twice.status_code, twice.json()["code"]) == (409, "illegal-transition")
    assert (decided.status_code, decided.json()["code"]) == (409, "illegal-transition")
    assert gateway.row_counts() == before
    withdrawn = gateway.post(path + "/withdrawal", COURT, {"reason": "retained_lawyer"})
    late = gateway.post(path + "/replacement", centre, {**appointment(), "replacement_reason": "conflict_of_interest"})
    assert withdrawn.json()["state"] == "withdrawn"
    assert late.status_code == 409


def test_only_the_centre_it_was_routed_to_may_answer(gateway: LiveGateway) -> None:
    receipt = _court_notice(gateway)
    path = f"/api/v1/requests/{receipt['id']}/appointment"

    other_centre = gateway.post(path, "lac370200", appointment())
    the_court = gateway.post(path, COURT, appointment())

    assert receipt["centre_code"] == "lac370202"
    assert (other_centre.status_code, other_centre.json()["code"]) == (404, "request-not-found")
    assert (the_court.status_code, the_court.json()["code"]) == (403, "kind-not-allowed")


def test_a_possible_death_sentence_needs_a_lawyer_of_three_years(gateway: LiveGateway) -> None:
    receipt = _court_notice(gateway, grounds=["minor", "life_or_death_penalty"])
    path = f"/api/v1/requests/{receipt['id']}/appointment"
    junior = {**appointment(), "lawyer": {**LAWYER, "years_of_practice": 2}}

    refused = gateway.post(path, receipt["centre_code"], junior)
    accepted = gateway.post(path, receipt["centre_code"], appointment())

    assert refused.status_code == 422
    assert "lawyer.years_of_practice" in refused.json()["errors"]
    assert accepted.status_code == 200


def test_a_duty_lawyer_needs_a_place_and_a_time(gateway: LiveGateway) -> None:
    posted = gateway.post(
        "/api/v1/procuratorate/duty-lawyer-requests", PROC, example("procuratorate", "duty-lawyer-requests.json")
    ).json()
    path = f"/api/v1/requests/{posted['id']}/appointment"

    refused = gateway.post(path, posted["centre_code"], appointment())
    named = gateway.post(
        path,
        posted["centre_code"],
        {**appointment(), "duty_place": "青岛市人民检察院值班律师工作站", "duty_time": "2026-11-27T09:00:00+08:00"},
    )

    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"duty_place", "duty_time"}
    assert named.status_code == 200


def test_an_application_is_decided_before_a_lawyer_is_assigned(gateway: LiveGateway) -> None:
    posted = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    path, centre = f"/api/v1/requests/{posted['id']}", posted["centre_code"]

    early = gateway.post(path + "/appointment", centre, appointment())
    decided_at = china_now()
    no_reasons = gateway.post(path + "/decision", centre, {"outcome": "refused", "decided_at": decided_at})
    granted = gateway.post(path + "/decision", centre, {"outcome": "granted", "decided_at": decided_at})
    assigned = gateway.post(path + "/appointment", centre, appointment())

    assert early.status_code == 409
    assert no_reasons.status_code == 422
    assert granted.json()["state"] == "granted"
    # LAL 43: 3 days from the decision to assign a lawyer; the detainee's period is not moved past rest days
    # (CPL 105), so it ends at midnight of the third day after the decision's.
    third_day = date.fromisoformat(decided_at[:10]) + timedelta(days=3)
    assert granted.json()["deadline"]["obligation"] == "assign_lawyer"
    assert granted.json()["deadline"]["due_at"] == f"{third_day.isoformat()}T23:59:59+08:00"
    assert assigned.json()["state"] == "assigned"
    assert assigned.json()["decision"]["outcome"] == "granted"


def test_each_transition_is_an_event_on_legalaid_events(gateway: LiveGateway, amqp_url: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.exchange_declare(EVENTS_EXCHANGE, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, EVENTS_EXCHANGE, "request.#")
    receipt = _court_notice(gateway)
    gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], appointment())

    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    events = []
    while (got := channel.basic_get(queue, auto_ack=True))[0] is not None:
        events.append((got[0].routing_key, json.loads(got[2])))
    connection.close()

    assert [(key, body["request_id"]) for key, body in events] == [("request.assigned", receipt["id"])]


def test_an_answer_repeated_with_its_idempotency_key_is_applied_once(gateway: LiveGateway) -> None:
    receipt = _court_notice(gateway)
    path = f"/api/v1/requests/{receipt['id']}/appointment"
    headers = {"Idempotency-Key": "answer-1"}

    first = gateway.post(path, receipt["centre_code"], appointment(), headers=headers)
    repeat = gateway.post(path, receipt["centre_code"], appointment(), headers=headers)
    without = gateway.post(path, receipt["centre_code"], appointment())

    assert (first.status_code, repeat.status_code, without.status_code) == (200, 200, 409)
    history = [entry["event"] for entry in repeat.json()["history"]]
    assert history == ["received", "assigned"]


def test_an_idempotency_key_cannot_be_reused_for_another_request(gateway: LiveGateway) -> None:
    first = _court_notice(gateway)
    second = _court_notice(gateway, notice_number="another")
    headers = {"Idempotency-Key": "same-key"}

    applied = gateway.post(f"/api/v1/requests/{first['id']}/appointment", "lac370202", appointment(), headers=headers)
    reused = gateway.post(f"/api/v1/requests/{second['id']}/appointment", "lac370202", appointment(), headers=headers)

    assert applied.status_code == 200
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json()["errors"]
    assert gateway.get(f"/api/v1/requests/{second['id']}", COURT).json()["state"] == "received"


def test_one_lawyer_may_not_defend_two_co_defendants(gateway: LiveGateway) -> None:
    # SPC interpretation of the CPL (法释〔2021〕1号) art. 43, on the real store: the same case number, another
    # defendant of the same court, the lawyer appointed to the first is refused for the second.
    defendant = example("court", "defense-notices.json")["defendant"]
    first = _court_notice(gateway)
    second = _court_notice(
        gateway,
        notice_number="（2026）鲁0202刑初318号-通知辩护-2",
        defendant=defendant | {"name": "王小刚", "id_number": "370202201003150513"},
    )
    body = appointment()
    assert gateway.post(f"/api/v1/requests/{first['id']}/appointment", first["centre_code"], body).status_code == 200

    refused = gateway.post(f"/api/v1/requests/{second['id']}/appointment", second["centre_code"], body)
    other = {**body, "lawyer": {**LAWYER, "licence_number": "13702201810099999", "name": "赵律师"}}
    accepted = gateway.post(f"/api/v1/requests/{second['id']}/appointment", second["centre_code"], other)

    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["lawyer.licence_number"]
    assert "co-defendants" in refused.json()["errors"]["lawyer.licence_number"][0]
    assert accepted.status_code == 200
