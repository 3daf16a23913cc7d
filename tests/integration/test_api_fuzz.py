"""Schemathesis on the live gateway's own OpenAPI document: no input gives a 5xx, every answer matches the
document, and refused input stores nothing.

Checks on (listed in CHECKS): not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, response_headers_conformance, negative_data_rejection (schema-violating
input gets a 4xx), ignored_auth (a call without the key is refused), plus the store check of ApiFuzzer.
Off: positive_data_acceptance, because a body that fits the schema can still break a rule of law
(GB 11643, grounds, routing) and is then rightly refused with 422.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from adapters.registry import declarations
from tests.support.fuzz import ApiFuzzer
from tests.support.gateway import running_gateway

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
]
# Every declared agency type's resources; status, a document, withdrawal, proof of service, materials; the centre's
# six answers.
OPERATIONS = sum(len(found.operations) for found in declarations()) + 5 + 6

# Bounded so the whole module stays within about two minutes on a shared two-core machine.
STATELESS = settings(
    max_examples=25, deadline=2000, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
STATEFUL = settings(
    max_examples=60,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture
def fuzzer(tmp_path: Path, amqp_url: str) -> Iterator[ApiFuzzer]:
    with running_gateway(tmp_path, amqp_url) as gateway:
        fuzzer = ApiFuzzer(gateway)
        yield fuzzer
        fuzzer.assert_stored_rows_match_creations()


@pytest.fixture
def api_schema(fuzzer: ApiFuzzer) -> OpenApiSchema:
    schema = schemathesis.openapi.from_url(fuzzer.gateway.base + "/api/v1/openapi.json")
    schema.config.update(base_url=fuzzer.gateway.base)
    return schema


def operations(schema: OpenApiSchema) -> list[APIOperation]:
    """Every operation of the served document."""
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["fitting", "violating"])
def test_no_input_gives_a_server_error_or_leaves_a_trace_when_refused(
    api_schema: OpenApiSchema, fuzzer: ApiFuzzer, mode: GenerationMode
) -> None:
    for operation in operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @STATELESS
        def fuzz(case: Case) -> None:
            response = fuzzer.call(case)
            case.validate_response(response, checks=CHECKS, headers=fuzzer.headers_for(case))

        fuzz()

    assert {label for label, _ in fuzzer.statuses} == {operation.label for operation in operations(api_schema)}


def test_the_document_covers_every_operation(api_schema: OpenApiSchema) -> None:
    labels = {operation.label for operation in operations(api_schema)}

    assert len(labels) == OPERATIONS, labels


def test_sequences_along_the_documents_links_give_no_server_error(api_schema: OpenApiSchema, fuzzer: ApiFuzzer) -> None:
    # Each scenario starts on an empty store (a replay must take the same path: a 202, not a resend), and its
    # failures are collected as they happen and reported after the run rather than replayed.
    failures: list[str] = []

    class Sequences(api_schema.as_state_machine()):  # type: ignore[misc]
        def teardown(self) -> None:
            fuzzer.assert_stored_rows_match_creations()
            fuzzer.forget_requests()

        def call(self, case: Case, **kwargs: object) -> Response:
            return fuzzer.call(case)

        def validate_response(self, response: Response, case: Case, *args: object, **kwargs: object) -> None:
            try:
                case.validate_response(response, checks=CHECKS, headers=fuzzer.headers_for(case))
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{case.operation.label} -> {response.status_code}: {exc}")

    Sequences.run(settings=STATEFUL)

    assert not failures, "\n\n".join(failures[:3])
    accepted = {label for (label, status) in fuzzer.statuses if status == 202}
    followed = {label for (label, status) in fuzzer.statuses if status == 200 and "{request_id}" in label}
    assert accepted and followed, fuzzer.statuses
