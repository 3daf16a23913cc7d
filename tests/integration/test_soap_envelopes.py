"""Raw SOAP 1.1 and 1.2 envelopes from examples/, with prefixes other than the usual ones."""

import json

import pytest
from lxml import etree

from adapters.examples import sample_paths
from adapters.registry import declarations
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.web.soap.envelope import SOAP11, SOAP12, SoapVersion
from tests.support.broker import drain_queue
from tests.support.gateway import AGENCY_OF_SERVICE, LiveGateway, running_relay, wait_for
from tests.support.soap import post_envelope, sample_envelope

pytestmark = pytest.mark.integration

SAMPLES = [
    (path.parent.parent.name, path.name.split(".")[0], SOAP11 if ".soap11." in path.name else SOAP12)
    for path in sample_paths("*.soap1?.xml")
]


def test_every_intake_operation_has_a_sample_in_both_versions() -> None:
    operations = {(service, operation) for service, operation, _ in SAMPLES}
    assert len(SAMPLES) == 2 * len(operations) == 2 * sum(len(found.operations) for found in declarations())


@pytest.mark.parametrize(("service", "operation", "version"), SAMPLES, ids=[f"{s}-{o}-{v.name}" for s, o, v in SAMPLES])
def test_a_sample_envelope_is_accepted_and_answered_in_its_own_version(
    gateway: LiveGateway, service: str, operation: str, version: SoapVersion
) -> None:
    code = AGENCY_OF_SERVICE[service]
    body = sample_envelope(service, operation, version, code, gateway.keys[code])

    response = post_envelope(gateway.base, service, body, version)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(version.media_type)
    root = etree.fromstring(response.content)
    assert etree.QName(root).namespace == version.namespace
    answer = root.find(f"{{{version.namespace}}}Body/*")
    assert etree.QName(answer).localname == operation + "Response"
    assert answer.findtext("{*}Created") == "true" and answer.findtext("{*}State") == "received"


def test_the_soap_action_is_advisory_dispatch_goes_by_the_body(gateway: LiveGateway) -> None:
    body = sample_envelope("court", "NotifyDefense", SOAP12, "court-370202", gateway.keys["court-370202"])

    response = post_envelope(
        gateway.base, "court", body, SOAP12, content_type=f'{SOAP12.media_type}; action="urn:something-else"'
    )

    assert response.status_code == 200, response.text


def test_a_withdrawal_reaches_the_assignment_queue_after_its_request(gateway: LiveGateway, amqp_url: str) -> None:
    code = AGENCY_OF_SERVICE["police"]
    accepted = post_envelope(
        gateway.base, "police", sample_envelope("police", "TransferApplication", SOAP11, code, gateway.keys[code])
    )
    request_id = etree.fromstring(accepted.content).findtext(".//{*}Id")
    withdrawn = gateway.post(f"/api/v1/requests/{request_id}/withdrawal", code, {"reason": "case_ended"})

    with running_relay(gateway.services, amqp_url):
        wait_for(lambda: gateway.services.outbox.pending_count() == 0, what="outbox drained")
    messages = drain_queue(amqp_url, ASSIGNMENT_QUEUE)

    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert [method.routing_key.split(".")[0] for method, _, _ in messages] == ["application_transfer", "withdrawal"]
    _, properties, body = messages[1]
    notice = json.loads(body)
    assert properties.message_id == f"{request_id}.withdrawal"
    assert (notice["request_id"], notice["reason"], notice["schema"]) == (
        request_id,
        "case_ended",
        "legalaid.withdrawal/1",
    )
    assert gateway.get(f"/api/v1/requests/{request_id}", code).json()["state"] == "withdrawn"


def test_another_agency_cannot_withdraw_a_request(gateway: LiveGateway) -> None:
    code = AGENCY_OF_SERVICE["police"]
    accepted = post_envelope(
        gateway.base, "police", sample_envelope("police", "TransferApplication", SOAP11, code, gateway.keys[code])
    )
    request_id = etree.fromstring(accepted.content).findtext(".//{*}Id")

    refused = gateway.post(f"/api/v1/requests/{request_id}/withdrawal", "court-370202", {"reason": "case_ended"})

    assert refused.status_code == 404
    assert gateway.get(f"/api/v1/requests/{request_id}", code).json()["state"] == "received"
