"""What the fuzzers found, each kept as a regression: a clear refusal or a conforming answer, never a 500."""

import copy
from typing import Any

import pytest

from tests.support.gateway import LiveGateway, example
from tests.support.moments import china_now

pytestmark = pytest.mark.integration

POLICE = "police-370203"
DUTY = "/api/v1/police/duty-lawyer-requests"
TRANSFER = "/api/v1/police/application-transfers"


def _with(folder: str, file_name: str, section: str | None, field: str, value: str) -> dict[str, Any]:
    body = copy.deepcopy(example(folder, file_name))
    (body[section] if section else body)[field] = value
    return body


# A year 9999 time overflowed the China-time arithmetic (500); a year 0290 one gave a deadline in local mean
# time (+08:05:43), which is no RFC 3339 offset.
CASES = [
    (
        DUTY,
        _with("police", "duty-lawyer-requests.json", None, "scheduled_at", "9999-12-31T23:59:59-12:00"),
        "scheduled_at",
    ),
    (DUTY, _with("police", "duty-lawyer-requests.json", None, "scheduled_at", "0290-05-05T17:36:01Z"), "scheduled_at"),
    (
        TRANSFER,
        _with("police", "application-transfers.json", "application", "applied_at", "9999-12-31T20:00:00Z"),
        "application.applied_at",
    ),
    (
        DUTY,
        _with("police", "duty-lawyer-requests.json", "detention", "detained_at", "0111-08-03T11:42:08-12:25"),
        "detention.detained_at",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "field"), CASES, ids=["year 9999", "year 0290", "application year 9999", "detained year 0111"]
)
def test_a_time_outside_the_years_of_a_live_case_is_refused_and_stores_nothing(
    gateway: LiveGateway, path: str, body: dict[str, Any], field: str
) -> None:
    before = gateway.row_counts()

    response = gateway.post(path, POLICE, body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {field: ["must be between 1950 and 2099"]}
    assert gateway.row_counts() == before


def test_the_status_leaves_out_what_the_appointment_does_not_say(gateway: LiveGateway) -> None:
    receipt = gateway.post(
        "/api/v1/court/defense-notices", "court-370202", example("court", "defense-notices.json")
    ).json()
    lawyer = {
        "name": "周律师",
        "law_firm": "山东青法律师事务所",
        "licence_number": "13702201510234567",
        "phone": "13800000000",
    }
    appointment = {"lawyer": lawyer, "appointed_at": china_now()}
    assert gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", "lac370202", appointment).status_code == 200

    status = gateway.get(f"/api/v1/requests/{receipt['id']}", "court-370202").json()

    assert status["appointment"] == appointment
