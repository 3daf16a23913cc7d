"""A refusal names one of the law's reasons (LAL 43 ¶1: in writing, with reasons), in every contract the same."""

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from marshmallow import ValidationError

from gateway.app import create_app
from gateway.config import Settings
from gateway.domain.enums import RefusalReason
from schemas.answers import DecisionSchema, load_answer

ROOT = Path(__file__).resolve().parents[2]
XS = "{http://www.w3.org/2001/XMLSchema}"
# Outside the scope of aid (LAL 24, 29), hardship not met (LAL 34, 41), a defender already retained (LAL 24),
# missing materials never supplied (LAL 43 ¶2), and any other reason, explained in the text.
LAWS_REASONS = {"outside_scope", "hardship_not_met", "lawyer_retained", "materials_not_supplied", "other"}


def _refusal(**changes: Any) -> dict[str, Any]:
    return {
        "outcome": "refused",
        "decided_at": "2026-11-26T10:00:00+08:00",
        "reason_code": "hardship_not_met",
        "reason": "家庭人均月收入高于当地低保标准二倍",
    } | changes


@pytest.mark.parametrize("code", sorted(LAWS_REASONS))
def test_each_of_the_laws_reasons_is_accepted(code: str) -> None:
    decision = DecisionSchema().load(_refusal(reason_code=code))

    assert decision.reason_code is RefusalReason(code)
    assert DecisionSchema().dump(decision)["reason_code"] == code


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason_code": "not_hardship"}, "reason_code"),  # a centre's own code: agencies could not act on it
        ({"reason_code": None}, "reason_code"),
        ({"reason": None}, "reason"),
    ],
)
def test_a_refusal_without_a_reason_of_the_law_or_its_text_is_refused(changes: dict[str, Any], field: str) -> None:
    body = {key: value for key, value in _refusal(**changes).items() if value is not None}

    with pytest.raises(ValidationError) as refused:
        DecisionSchema().load(body)

    assert field in refused.value.messages


def test_a_decision_stored_before_the_codes_reads_as_other_with_its_old_code_in_the_text() -> None:
    stored = _refusal(reason_code="not_hardship", reason="收入超标")

    decision = load_answer("decision", stored)

    assert decision.reason_code is RefusalReason.OTHER  # type: ignore[union-attr]
    assert decision.reason == "not_hardship：收入超标"  # type: ignore[union-attr]


def test_the_openapi_document_lists_the_laws_reasons(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3"))
    document = app.test_client().get("/api/v1/openapi.json").get_json()

    prop = document["components"]["schemas"]["Decision"]["properties"]["reason_code"]

    assert set(prop["enum"]) == LAWS_REASONS
    assert "不符合经济困难标准" in prop["description"]


@pytest.mark.parametrize("agency", ["court", "procuratorate", "police"])
def test_each_callback_contract_lists_the_laws_reasons(agency: str) -> None:
    xsd = etree.parse(str(ROOT / "adapters" / agency / "wsdl" / f"{agency}-callback.xsd"))

    [reason_type] = xsd.findall(f"{XS}simpleType[@name='RefusalReason']")
    [element] = xsd.findall(f".//{XS}complexType[@name='Decision']//{XS}element[@name='ReasonCode']")

    assert {value.get("value") for value in reason_type.iter(f"{XS}enumeration")} == LAWS_REASONS
    assert element.get("type") == "tns:RefusalReason"


def test_the_asyncapi_document_lists_the_laws_reasons() -> None:
    document = json.loads((ROOT / "docs" / "asyncapi.json").read_text(encoding="utf-8"))

    decisions = [
        schema["properties"]["reason_code"]
        for schema in document["components"]["schemas"].values()
        if "reason_code" in schema.get("properties", {})
    ]

    assert decisions and all(set(prop["enum"]) == LAWS_REASONS for prop in decisions)
