"""One deadline reads the same everywhere the gateway writes it: China time with its offset, to the second."""

import re

import pytest

from tests.integration.test_delivery import appointment
from tests.support.gateway import LiveGateway, example

pytestmark = pytest.mark.integration

COURT = "court-370202"
CHINA = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def test_the_receipt_the_resend_the_status_and_the_answer_say_the_same_deadline(gateway: LiveGateway) -> None:
    notice = example("court", "defense-notices.json")

    receipt = gateway.post("/api/v1/court/defense-notices", COURT, notice).json()
    resend = gateway.post("/api/v1/court/defense-notices", COURT, notice).json()
    status = gateway.get(f"/api/v1/requests/{receipt['id']}", COURT).json()
    answered = gateway.post(f"/api/v1/requests/{receipt['id']}/appointment", receipt["centre_code"], appointment())

    due = receipt["deadline"]["due_at"]
    assert CHINA.match(due), due
    assert resend["deadline"]["due_at"] == status["deadline"]["due_at"] == due
    assert CHINA.match(status["received_at"]) and CHINA.match(status["updated_at"])
    assert all(CHINA.match(entry["at"]) for entry in status["history"]), status["history"]
    assert answered.status_code == 200, answered.text
    after = answered.json()
    assert CHINA.match(after["updated_at"])
