"""Control characters and invisible formatting (direction overrides, zero-width characters) in names and free
text are refused with the field named, over REST and SOAP, as real bytes to a live gateway; nothing is stored.
A rare character of a Chinese name in the private-use area and line breaks in free text pass. An agency's
free text (a withdrawal note) never reaches the audit log, which is kept for good."""

import json

import pytest
import sqlalchemy as sa

from gateway.store.tables import audit_log
from gateway.web.soap.envelope import SOAP11
from tests.support.gateway import LiveGateway, example
from tests.support.soap import fault_of, post_envelope, sample_envelope

pytestmark = pytest.mark.integration

COURT = "court-370202"
NOTICES = "/api/v1/court/defense-notices"
JSON = {"Content-Type": "application/json"}
HIDDEN = {
    "right-to-left override": "\u202e",
    "right-to-left isolate": "\u2067",
    "zero-width space": "\u200b",
    "byte order mark": "\ufeff",
    "a C1 control": "\u0085",
}


def _notice(number: str, name: str, courtroom: str | None = None) -> bytes:
    body = example("court", "defense-notices.json")
    body["notice_number"] = f"{body['notice_number']}-{number}"
    body["defendant"]["name"] = name
    if courtroom is not None:
        body["hearing"]["courtroom"] = courtroom
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("character", list(HIDDEN))
def test_a_name_with_a_hidden_character_is_a_422_naming_the_field(gateway: LiveGateway, character: str) -> None:
    before = gateway.row_counts()

    response = gateway.post(NOTICES, COURT, data=_notice(character, f"王{HIDDEN[character]}小明"), headers=JSON)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation-failed"
    assert list(problem["errors"]) == ["defendant.name"]
    assert f"U+{ord(HIDDEN[character]):04X}" in " ".join(problem["errors"]["defendant.name"])
    assert gateway.row_counts() == before


def test_hidden_characters_in_free_text_are_refused_but_line_breaks_pass(gateway: LiveGateway) -> None:
    refused = gateway.post(NOTICES, COURT, data=_notice("room-rlo", "王小明", "第三\u202e法庭"), headers=JSON)
    accepted = gateway.post(
        NOTICES, COURT, data=_notice("room-lines", "王小明", "第三法庭\n（二楼）\t东侧"), headers=JSON
    )

    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["hearing.courtroom"]
    assert accepted.status_code == 202, accepted.text


def test_a_rare_character_in_the_private_use_area_passes(gateway: LiveGateway) -> None:
    response = gateway.post(NOTICES, COURT, data=_notice("pua", "王\ue000明"), headers=JSON)

    assert response.status_code == 202, response.text


def test_a_soap_name_with_an_override_is_a_client_fault_naming_the_element(gateway: LiveGateway) -> None:
    envelope = sample_envelope("court", "NotifyDefense", SOAP11, COURT, gateway.keys[COURT])
    before = gateway.row_counts()

    response = post_envelope(gateway.base, "court", envelope.replace("王小明".encode(), "王\u202e小明".encode(), 1))

    fault = fault_of(response)
    assert (fault["status"], fault["fault"], fault["code"]) == (500, "Client", "validation-failed")
    assert any(path.endswith("Name") for path in fault["paths"]), fault
    assert gateway.row_counts() == before


def test_a_withdrawal_note_reaches_the_centre_but_not_the_audit_log(gateway: LiveGateway) -> None:
    note = "被告人王小明（身份证370202201003150310）家属已委托律师"
    receipt = gateway.post(NOTICES, COURT, data=_notice("withdrawn", "王小明"), headers=JSON).json()

    withdrawn = gateway.post(
        f"/api/v1/requests/{receipt['id']}/withdrawal", COURT, data=json.dumps({"reason": "other", "note": note})
        .encode(), headers=JSON
    )  # fmt: skip

    assert withdrawn.status_code == 200, withdrawn.text
    with gateway.services.engine.connect() as conn:
        details = [row.detail for row in conn.execute(sa.select(audit_log.c.detail))]
    assert {"reason": "other", "note_given": True} in details
    assert not any(note in json.dumps(detail, ensure_ascii=False) for detail in details)
