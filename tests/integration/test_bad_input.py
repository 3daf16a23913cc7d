"""Bad input gets a clear problem document and changes nothing: nothing stored, nothing queued."""

import copy
from collections.abc import Callable
from typing import Any

import pytest
import requests

from gateway.messaging.topology import ASSIGNMENT_QUEUE
from tests.support.broker import queue_depth
from tests.support.gateway import LiveGateway, example, running_relay

pytestmark = pytest.mark.integration

COURT = "/api/v1/court/defense-notices"
PROC = "/api/v1/procuratorate/defense-notices"
POLICE = "/api/v1/police/application-transfers"


def _court(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = copy.deepcopy(example("court", "defense-notices.json"))
    change(body)
    return body


def _proc(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = copy.deepcopy(example("procuratorate", "defense-notices.json"))
    change(body)
    return body


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            body = body[key]
        body[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            body = body[key]
        del body[last]

    return change


# (case, path, agency, json body, raw request kwargs, status, problem code, field expected in errors)
CASES: list[tuple[str, str, str | None, Any, dict[str, Any], int, str, str | None]] = [
    (
        "police asks for plea signing (CPL 174: before the procuratorate)",
        "/api/v1/police/duty-lawyer-requests",
        "police-370203",
        example("police", "duty-lawyer-requests.json") | {"purpose": "plea_agreement"},
        {},
        422,
        "validation-failed",
        "purpose",
    ),
    (
        "procuratorate asks for plea signing at investigation (CPL 174)",
        "/api/v1/procuratorate/duty-lawyer-requests",
        "proc-370200",
        example("procuratorate", "duty-lawyer-requests.json") | {"stage": "investigation"},
        {},
        422,
        "validation-failed",
        "purpose",
    ),
    (
        "ground found after the notice was received (LAL 36)",
        COURT,
        "court-370202",
        _court(_set("ground_found_at", "2099-01-01T10:00:00+08:00")),
        {},
        422,
        "validation-failed",
        "ground_found_at",
    ),
    (
        "full coverage at a fast-track trial (2017 measures art. 2)",
        COURT,
        "court-370202",
        _court(_set("grounds", ["full_coverage_trial"])) | {"procedure": "fast_track"},
        {},
        422,
        "grounds-invalid",
        "grounds",
    ),
    (
        "malformed json",
        COURT,
        "court-370202",
        None,
        {"data": b'{"notice_number": ', "headers": {"Content-Type": "application/json"}},
        400,
        "malformed-body",
        None,
    ),
    (
        "wrong content type",
        COURT,
        "court-370202",
        None,
        {"data": b"<notice/>", "headers": {"Content-Type": "application/xml"}},
        415,
        "unsupported-media-type",
        None,
    ),
    (
        "body over the size limit",
        COURT,
        "court-370202",
        None,
        {"data": b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}', "headers": {"Content-Type": "application/json"}},
        413,
        "payload-too-large",
        None,
    ),
    (
        "unknown field",
        COURT,
        "court-370202",
        _court(_set("defendant.favourite_colour", "blue")),
        {},
        422,
        "validation-failed",
        "defendant.favourite_colour",
    ),
    ("missing field", COURT, "court-370202", _court(_drop("case_number")), {}, 422, "validation-failed", "case_number"),
    (
        "id number with a wrong check digit",
        COURT,
        "court-370202",
        _court(_set("defendant.id_number", "370202201003150311")),
        {},
        422,
        "invalid-id-number",
        "defendant.id_number",
    ),
    (
        "id number of the wrong shape",
        COURT,
        "court-370202",
        _court(_set("defendant.id_number", "12345")),
        {},
        422,
        "invalid-id-number",
        "defendant.id_number",
    ),
    (
        "birth date contradicting the id",
        COURT,
        "court-370202",
        _court(_set("defendant.birth_date", "2009-03-15")),
        {},
        422,
        "identity-mismatch",
        "defendant.birth_date",
    ),
    (
        "gender contradicting the id",
        PROC,
        "proc-370200",
        _proc(_set("suspect.sex", "female")),
        {},
        422,
        "identity-mismatch",
        "suspect.sex",
    ),
    (
        "minor ground for an adult",
        PROC,
        "proc-370200",
        _proc(_set("grounds", ["minor"])),
        {},
        422,
        "grounds-invalid",
        "grounds",
    ),
    (
        "court-only ground from a procuratorate",
        PROC,
        "proc-370200",
        _proc(_set("grounds", ["trial_in_absentia"])),
        {},
        422,
        "grounds-invalid",
        "grounds",
    ),
    (
        "disability ground without a disability",
        COURT,
        "court-370202",
        _court(_set("grounds", ["visual_hearing_speech_disability"])),
        {},
        422,
        "grounds-invalid",
        "grounds",
    ),
    (
        "a control character in a name",
        COURT,
        "court-370202",
        _court(_set("defendant.name", "王\u0000小明")),
        {},
        422,
        "validation-failed",
        "defendant.name",
    ),
    (
        "an oversized content-type header",
        COURT,
        "court-370202",
        None,
        {"data": b"{}", "headers": {"Content-Type": "application/json; x=" + "a" * 300}},
        422,
        "validation-failed",
        None,
    ),
    ("no ground", COURT, "court-370202", _court(_set("grounds", [])), {}, 422, "validation-failed", "grounds"),
    (
        "a stage the court cannot be in",
        COURT,
        "court-370202",
        _court(_set("trial_stage", "review_for_prosecution")),
        {},
        422,
        "stage-not-allowed",
        "trial_stage",
    ),
    (
        "a kind the agency may not send: police on the court's resource",
        COURT,
        "police-370203",
        example("court", "defense-notices.json"),
        {},
        403,
        "kind-not-allowed",
        None,
    ),
    (
        "a court posting a police transfer",
        POLICE,
        "court-370202",
        example("police", "application-transfers.json"),
        {},
        403,
        "kind-not-allowed",
        None,
    ),
    ("no key", COURT, None, example("court", "defense-notices.json"), {}, 401, "unauthenticated", None),
    (
        "a wrong key",
        COURT,
        None,
        example("court", "defense-notices.json"),
        {"headers": {"Authorization": "Bearer lagw_not-a-key"}},
        401,
        "unauthenticated",
        None,
    ),
]


@pytest.mark.parametrize(
    ("path", "agency", "body", "raw", "status", "code", "field"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_refused_with_a_problem_and_changes_nothing(
    gateway: LiveGateway,
    amqp_url: str,
    path: str,
    agency: str | None,
    body: Any,
    raw: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = gateway.row_counts()
    response = gateway.post(path, agency, body, **copy.deepcopy(raw))

    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{code}"
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    if field is not None:
        assert field in problem["errors"], problem
    assert gateway.row_counts() == before
    with running_relay(gateway.services, amqp_url):
        pass
    assert queue_depth(amqp_url, ASSIGNMENT_QUEUE) == 0


def test_a_server_error_answers_a_problem_without_a_stack_trace(
    gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals at /srv/gateway/store.py line 42")

    monkeypatch.setattr(gateway.services.requests, "matches", broken)  # the intake's read of the person's requests
    response = gateway.post(COURT, "court-370202", example("court", "defense-notices.json"))

    assert response.status_code == 500
    assert response.json()["type"] == "/problems/internal-error"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_problem_types_resolve_to_their_description(gateway: LiveGateway) -> None:
    import requests

    described = requests.get(gateway.base + "/problems/invalid-id-number", timeout=5).json()
    assert described["status"] == 422
    assert "GB 11643" in described["description"]


def test_names_and_id_numbers_never_reach_the_logs(gateway: LiveGateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    notice = example("court", "defense-notices.json")
    gateway.post(COURT, "court-370202", notice)
    gateway.post(COURT, "court-370202", _court(_set("defendant.birth_date", "2009-03-15")))
    gateway.post(COURT, "court-370202", _court(_set("defendant.id_number", "370202201003150311")))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "accepted request" in logged
    for secret in (notice["defendant"]["name"], notice["defendant"]["id_number"], "370202201003150311"):
        assert secret not in logged


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("GET", COURT, {"POST", "OPTIONS"}), ("DELETE", "/api/v1/requests/x", {"GET", "HEAD", "OPTIONS"})],
)
def test_a_method_the_resource_does_not_take_is_a_405_naming_those_it_does(
    gateway: LiveGateway, method: str, path: str, allowed: set[str]
) -> None:
    response = requests.request(
        method, gateway.base + path, headers={"Authorization": f"Bearer {gateway.keys['court-370202']}"}, timeout=10
    )

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {method.strip() for method in response.headers["Allow"].split(",")} == allowed
