"""The OpenAPI document says what the gateway does: errors are problem documents, links lead on from a receipt."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config import Settings
from gateway.web.problems import PROBLEM_MEDIA_TYPE


@pytest.fixture
def document(tmp_path: Path) -> Iterator[dict[str, Any]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/gateway.sqlite3")
    yield create_app(settings).test_client().get("/api/v1/openapi.json").get_json()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_error_response_is_a_problem_document(document: dict[str, Any]) -> None:
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    errors = {
        (path, method, status): response.get("content")
        for path, method, operation in _operations(document)
        for status, response in operation["responses"].items()
        if status == "default" or int(status) >= 400
    }

    assert errors and all(content == problem for content in errors.values()), errors
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "code",
    }


def test_a_numeric_bound_is_a_number(document: dict[str, Any]) -> None:
    income = document["components"]["schemas"]["Application"]["properties"]["monthly_income_yuan"]

    assert (income["type"], income["minimum"]) == ("number", 0)


def test_a_receipt_links_to_the_operations_on_its_request(document: dict[str, Any]) -> None:
    links = document["paths"]["/api/v1/court/defense-notices"]["post"]["responses"]["202"]["links"]

    assert links["GetStatus"] == {
        "operationRef": "#/paths/~1api~1v1~1requests~1{request_id}/get",
        "parameters": {"request_id": "$response.body#/id"},
        "description": "the sender or the centre reads the status",
    }
    for link in links.values():
        pointer = link["operationRef"].removeprefix("#/paths/").split("/")
        path = pointer[0].replace("~1", "/").replace("~0", "~")
        assert pointer[1] in document["paths"][path], link


CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _properties(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in document["components"]["schemas"].items():
        for prop_name, prop in schema.get("properties", {}).items():
            yield f"{name}.{prop_name}", prop


def test_every_property_is_described_in_chinese_and_english(document: dict[str, Any]) -> None:
    undescribed = [
        where
        for where, prop in _properties(document)
        if not (CJK.search(prop.get("description", "")) and LATIN_WORD.search(prop.get("description", "")))
    ]

    assert len(list(_properties(document))) > 150
    assert undescribed == []


def test_every_enum_value_is_explained_where_it_is_declared(document: dict[str, Any]) -> None:
    unexplained = [
        (where, value)
        for where, prop in _properties(document)
        for value in prop.get("enum") or prop.get("items", {}).get("enum") or []
        if not re.search(f"`{value}` {CJK.pattern}", prop["description"])
    ]

    assert unexplained == []
    grounds = document["components"]["schemas"]["CourtDefenseNotice"]["properties"]["grounds"]["description"]
    assert "`minor` 未成年人" in grounds and "`life_or_death_penalty` 可能判处无期徒刑、死刑" in grounds


def test_the_rules_are_in_the_descriptions(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    assert "GB 11643" in schemas["Defendant"]["properties"]["id_number"]["description"]
    assert "1950–2099" in schemas["Defendant"]["properties"]["birth_date"]["description"]
    assert "17-digit" in schemas["Lawyer"]["properties"]["licence_number"]["description"]
    assert "LAL 26" in schemas["Lawyer"]["properties"]["years_of_practice"]["description"]
    assert "LAL 43" in schemas["Decision"]["properties"]["reason"]["description"]
    assert "required for duty_lawyer" in schemas["Appointment"]["properties"]["duty_place"]["description"]
    assert "+08:00" in schemas["DeadlineOut"]["properties"]["due_at"]["description"]


@pytest.mark.parametrize(
    ("path", "stages"),
    [
        (
            "/api/v1/court/defense-notices",
            "`first_instance` 一审; `second_instance` 二审; `retrial` 再审; "
            "`death_penalty_review` 死刑复核; `compulsory_medical` 强制医疗",
        ),
        (
            "/api/v1/police/duty-lawyer-requests",
            "Accepted stages: `investigation` 侦查; `review_for_prosecution` 审查起诉; `first_instance` 一审; "
            "`second_instance` 二审; `retrial` 再审 (LAL 37; CPL 36)",
        ),
        ("/api/v1/procuratorate/defense-notices", "`investigation` 侦查; `review_for_prosecution` 审查起诉 ("),
    ],
)
def test_each_agency_resource_names_the_stages_it_accepts(document: dict[str, Any], path: str, stages: str) -> None:
    assert stages in document["paths"][path]["post"]["description"]


def test_every_answer_an_operation_can_get_is_declared_with_its_headers(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        expected = {"401", "429", "503"} | ({"400", "403", "413", "415", "422"} if method == "post" else {"404"})
        assert expected <= set(responses), (path, method, expected - set(responses))
        for status in ("429", "503"):
            assert "Retry-After" in responses[status]["headers"], (path, method, status)
        for status, response in responses.items():
            assert CJK.search(response["description"]), (path, method, status)
        if "{" not in path:
            assert "Location" in responses["202"]["headers"] and "Location" in responses["200"]["headers"]
