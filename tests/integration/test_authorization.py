"""The authorization matrix over live REST and SOAP: the same refusals, with their codes, and nothing stored."""

import copy
import json
from typing import Any

import pytest
import sqlalchemy as sa
from zeep.exceptions import Fault

from adapters.court.schemas import CourtDefenseNoticeSchema
from adapters.procuratorate.schemas import DutyLawyerRequestSchema
from gateway.store.sealed import open_outbox_body
from gateway.store.tables import outbox_bodies
from tests.support.gateway import LiveGateway, example
from tests.support.soap import soap_client, zeep_arguments

pytestmark = pytest.mark.integration

COURT = "/api/v1/court/defense-notices"
PROC_NOTICE = "/api/v1/procuratorate/defense-notices"
PROC_DUTY = "/api/v1/procuratorate/duty-lawyer-requests"


def _with(folder: str, file_name: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(example(folder, file_name))
    body.update(changes)
    return body


def _queued(gateway: LiveGateway) -> dict[str, Any]:
    """The one canonical message waiting in the outbox (sealed at rest: opened with the data keys)."""
    with gateway.services.engine.connect() as conn:
        bodies = outbox_bodies.c
        (row,) = conn.execute(sa.select(bodies.message_id, bodies.body, bodies.sealed_with)).all()
    body = open_outbox_body(gateway.services.data_keys, row.message_id, bytes(row.body), row.sealed_with)
    message: dict[str, Any] = json.loads(body)
    return message


def _queued_case(gateway: LiveGateway) -> dict[str, Any]:
    """The `case` of the one canonical message waiting in the outbox."""
    case: dict[str, Any] = _queued(gateway)["case"]
    return case


def _assert_problem(response: Any, status: int, code: str, field: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["type"], problem["status"]) == (f"/problems/{code}", status)
    assert field in problem["errors"], problem


@pytest.mark.parametrize(
    ("path", "agency", "body", "status", "code", "field"),
    [
        (
            COURT,
            "court-370202",
            _with("court", "defense-notices.json", case_district="370602"),  # another city: 烟台芝罘区
            403,
            "outside-jurisdiction",
            "case_district",
        ),
        (
            PROC_NOTICE,
            "proc-370200",
            _with("procuratorate", "defense-notices.json", case_district="370602"),
            403,
            "outside-jurisdiction",
            "case_district",
        ),
        (
            PROC_DUTY,
            "proc-370200",
            _with("procuratorate", "duty-lawyer-requests.json", stage="first_instance"),
            422,
            "stage-not-allowed",
            "stage",
        ),
    ],
    ids=["district court for the next district", "city procuratorate for another city", "procuratorate at trial"],
)
def test_rest_refusals_carry_their_code_and_store_nothing(
    gateway: LiveGateway, path: str, agency: str, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = gateway.row_counts()
    _assert_problem(gateway.post(path, agency, body), status, code, field)
    assert gateway.row_counts() == before


def test_a_city_level_agency_sends_for_a_district_of_its_city_and_the_city_centre_gets_it(
    gateway: LiveGateway,
) -> None:
    response = gateway.post(
        PROC_NOTICE, "proc-370200", _with("procuratorate", "defense-notices.json", case_district="370203")
    )

    assert response.status_code == 202, response.text
    assert response.json()["centre_code"] == "lac370200"  # LAL 38: where the agency sits, not the case
    assert _queued_case(gateway)["district"] == "370203"


def test_a_district_court_notifies_for_another_district_of_its_city_flagged_to_its_own_centre(
    gateway: LiveGateway,
) -> None:
    # CPL 25-27: designated or residence jurisdiction is lawful; flag the unusual, never refuse the lawful.
    response = gateway.post(COURT, "court-370202", _with("court", "defense-notices.json", case_district="370203"))

    assert response.status_code == 202, response.text
    assert response.json()["centre_code"] == "lac370202"  # LAL 38: the centre where the court sits
    message = _queued(gateway)
    assert message["case"]["district"] == "370203"
    # Only the jurisdiction flag is this test's: near a new year another (calendar_unconfirmed) may ride along.
    assert [flag for flag in message["flags"] if flag != "calendar_unconfirmed"] == ["outside_usual_jurisdiction"]


def test_a_case_without_a_district_is_recorded_in_the_agencys_own(gateway: LiveGateway) -> None:
    response = gateway.post(COURT, "court-370202", example("court", "defense-notices.json"))

    assert response.status_code == 202, response.text
    assert _queued_case(gateway)["district"] == "370202"


def _fault(call: Any) -> Fault:
    with pytest.raises(Fault) as refused:
        call()
    return refused.value


@pytest.mark.parametrize("port", ["Soap11", "Soap12"])
def test_soap_outside_jurisdiction_is_a_client_fault_naming_the_element(gateway: LiveGateway, port: str) -> None:
    _, proxy, _ = soap_client(gateway.base, "court", "court-370202", gateway.keys["court-370202"], port=port)
    notice = _with("court", "defense-notices.json", case_district="370602")
    before = gateway.row_counts()

    fault = _fault(lambda: proxy.NotifyDefense(**zeep_arguments(CourtDefenseNoticeSchema(), notice)))

    assert fault.code.endswith("Client" if port == "Soap11" else "Sender")
    assert fault.detail.findtext("{*}GatewayFault/{*}Code") == "outside-jurisdiction"
    assert fault.detail.findtext("{*}GatewayFault/{*}Errors/{*}Error/{*}Path") == "/NotifyDefense/CaseDistrict"
    assert gateway.row_counts() == before


def test_soap_stage_not_allowed_is_the_same_code_as_over_rest(gateway: LiveGateway) -> None:
    _, proxy, _ = soap_client(gateway.base, "procuratorate", "proc-370200", gateway.keys["proc-370200"])
    request = _with("procuratorate", "duty-lawyer-requests.json", stage="first_instance")
    before = gateway.row_counts()

    fault = _fault(lambda: proxy.RequestDutyLawyer(**zeep_arguments(DutyLawyerRequestSchema(), request)))

    assert fault.detail.findtext("{*}GatewayFault/{*}Code") == "stage-not-allowed"
    assert fault.detail.findtext("{*}GatewayFault/{*}Errors/{*}Error/{*}Path") == "/RequestDutyLawyer/Stage"
    assert gateway.row_counts() == before


def test_soap_an_agency_on_another_types_service_is_refused(gateway: LiveGateway) -> None:
    _, proxy, _ = soap_client(gateway.base, "court", "police-370203", gateway.keys["police-370203"])
    notice = example("court", "defense-notices.json")
    before = gateway.row_counts()

    fault = _fault(lambda: proxy.NotifyDefense(**zeep_arguments(CourtDefenseNoticeSchema(), notice)))

    assert fault.detail.findtext("{*}GatewayFault/{*}Code") == "kind-not-allowed"
    assert gateway.row_counts() == before


def test_a_detention_centres_forwarded_application_reaches_the_centre_where_the_court_sits(
    gateway: LiveGateway,
) -> None:
    # LAL 38, 39; Shandong regulation art. 11: a 市北区 detainee tried by the city's intermediate court applies to
    # the city centre, though the district's detention centre forwards it; past investigation the organ is named.
    court = {"name": "青岛市中级人民法院", "level": "city", "district": "370200"}
    unnamed = _with("police", "application-transfers.json", stage="first_instance")
    del unnamed["handling_organ"]

    refused = gateway.post("/api/v1/police/application-transfers", "police-370203", unnamed)
    response = gateway.post(
        "/api/v1/police/application-transfers",
        "police-370203",
        _with("police", "application-transfers.json", stage="first_instance", handling_organ=court),
    )

    assert (refused.status_code, list(refused.json()["errors"])) == (422, ["handling_organ"])
    assert response.status_code == 202, response.text
    assert response.json()["centre_code"] == "lac370200"
    message = _queued(gateway)
    assert (message["case"]["stage"], message["routing"]["routing_key"]) == (
        "first_instance",
        "application_transfer.lac370200",
    )
    assert message["case"]["handling_organ_seat"] == {"level": "city", "district": "370200", "code": None}
