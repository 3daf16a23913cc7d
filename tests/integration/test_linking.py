"""One person, one case across stages: police → procuratorate → court linked; a second court's notice flagged."""

from typing import Any

import pytest

from devtools.demo import DemoAgency, _agency
from gateway.domain.enums import AgencyType
from schemas.canonical import validate_message
from tests.support.gateway import LiveGateway, example, running_gateway

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]

# The police example's detainee, as the procuratorate and the courts would name him later.
PERSON = {"name": "陈志强", "id_number": "370203198808080710", "birth_date": "1988-08-08", "gender": "male"}
OTHER_COURT = DemoAgency(_agency("court-370203", "青岛市市北区人民法院", AgencyType.COURT, "370203"), "court", {})


def _procuratorate_notice() -> dict[str, Any]:
    notice = example("procuratorate", "defense-notices.json")
    notice["suspect"].update(
        full_name=PERSON["name"],
        sex="male",
        date_of_birth=PERSON["birth_date"],
        identity={"type": "resident_id", "number": PERSON["id_number"]},
    )
    return notice


def _court_notice(number: str, with_id: bool = True) -> dict[str, Any]:
    notice = example("court", "defense-notices.json")
    notice["notice_number"] = number
    notice["grounds"] = ["life_or_death_penalty"]
    notice["defendant"].update(name=PERSON["name"], birth_date=PERSON["birth_date"], gender="male")
    if with_id:
        notice["defendant"]["id_number"] = PERSON["id_number"]
    else:
        notice["defendant"].pop("id_number")
        notice["defendant"]["id_type"] = "unknown"
    return notice


def _post(gateway: LiveGateway, path: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
    response = gateway.post(path, code, body)
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def _canonical(gateway: LiveGateway, request_id: str) -> dict[str, Any]:
    return validate_message((gateway.services.requests.canonical_body(request_id) or "").encode())


def test_later_stages_link_to_earlier_ones_and_a_second_court_is_a_probable_duplicate(
    tmp_path: Any, amqp_url: str
) -> None:
    with running_gateway(tmp_path, amqp_url, extra=(OTHER_COURT,)) as gateway:
        police = _post(
            gateway,
            "/api/v1/police/application-transfers",
            "police-370203",
            example("police", "application-transfers.json"),
        )
        procuratorate = _post(gateway, "/api/v1/procuratorate/defense-notices", "proc-370200", _procuratorate_notice())
        court = _post(gateway, "/api/v1/court/defense-notices", "court-370202", _court_notice("first"))
        # Another court, same person and stage, no ID number: found by name and birth date.
        second = _post(gateway, "/api/v1/court/defense-notices", "court-370203", _court_notice("second", with_id=False))

        linked = _canonical(gateway, court["id"])
        duplicate = _canonical(gateway, second["id"])
        as_sender = gateway.get(f"/api/v1/requests/{second['id']}", "court-370203").json()
        as_centre = gateway.get(f"/api/v1/requests/{second['id']}", second["centre_code"]).json()

    assert [(r["id"], r["relation"]) for r in _canonical_related(linked)] == [
        (police["id"], "earlier_stage"),
        (procuratorate["id"], "earlier_stage"),
    ]
    assert "probable_duplicate" not in linked["flags"]
    assert (court["id"], "probable_duplicate") in [(r["id"], r["relation"]) for r in duplicate["related"]]
    assert "probable_duplicate" in duplicate["flags"]
    assert {r["relation"] for r in as_centre["related"]} == {"earlier_stage", "probable_duplicate"}
    assert as_sender["related"] == []  # other agencies' requests are the centre's business


def _canonical_related(message: dict[str, Any]) -> list[dict[str, Any]]:
    return list(message["related"])
