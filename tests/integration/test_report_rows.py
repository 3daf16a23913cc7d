"""The report's rows as the store builds them, on the store under test: an application keeps its LAL 43 deadline."""

from datetime import datetime, timedelta

import pytest

from tests.support.gateway import LiveGateway, example
from tests.support.moments import china_now

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

POLICE = "police-370203"
LAWYER = {
    "name": "周律师",
    "law_firm": "山东青法律师事务所",
    "licence_number": "13702201510234567",
    "phone": "13800000000",
}


def test_a_granted_application_reports_the_deadline_to_decide_that_the_grant_replaced(gateway: LiveGateway) -> None:
    posted = gateway.post(
        "/api/v1/police/application-transfers", POLICE, example("police", "application-transfers.json")
    ).json()
    path, centre = f"/api/v1/requests/{posted['id']}", posted["centre_code"]
    granted = gateway.post(path + "/decision", centre, {"outcome": "granted", "decided_at": china_now()}).json()
    gateway.post(path + "/appointment", centre, {"lawyer": LAWYER, "appointed_at": china_now()})
    received = datetime.fromisoformat(granted["received_at"])

    [row] = [
        row
        for row in gateway.services.console.report_rows(received - timedelta(hours=1), received + timedelta(hours=1))
        if row.kind == "application_transfer"
    ]

    decide_by = datetime.fromisoformat(posted["deadline"]["due_at"])  # the receipt's deadline: LAL 43, 7 days
    assert posted["deadline"]["basis"] == "LAL 43" and granted["deadline"]["due_at"] != posted["deadline"]["due_at"]
    assert row.decision_due_at == decide_by
    assert row.due_at == datetime.fromisoformat(granted["deadline"]["due_at"])  # now the 3 days to assign
    assert row.decided_at is not None and row.assigned_at is not None and row.closed_at is None
    assert row.decided_at <= row.decision_due_at
