"""The OpenAPI document says what the gateway does: errors are problem documents, links lead on from a receipt."""

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

    assert income == {"type": "number", "minimum": 0}


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
