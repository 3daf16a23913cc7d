"""The agencies' SOAP services through zeep, the client an agency's developer would use, over a live socket."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from zeep.exceptions import Fault

from adapters.examples import sample_path
from adapters.soap import soap_services
from gateway.contracts.xsd import OperationContract
from gateway.messaging.topology import ASSIGNMENT_QUEUE
from gateway.web.soap.envelope import SOAP11, SOAP12
from tests.support.broker import drain_queue
from tests.support.gateway import AGENCY_OF_SERVICE, LiveGateway, running_gateway, running_relay, wait_for
from tests.support.soap import soap_client, zeep_arguments

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]


# (service, intake operation) for every operation that takes a new message.
INTAKE_OPERATIONS = [
    (service.name, contract) for service in soap_services() for contract in service.contracts if contract.example
]


def _document(contract: OperationContract) -> dict[str, Any]:
    assert contract.example is not None
    loaded: dict[str, Any] = json.loads(sample_path(contract.example).read_text(encoding="utf-8"))
    return loaded


def _call(gateway: LiveGateway, service: str, contract: OperationContract, **client_options: Any) -> Any:
    code = AGENCY_OF_SERVICE[service]
    _, proxy, _ = soap_client(gateway.base, service, code, gateway.keys[code], **client_options)
    return getattr(proxy, contract.name)(**zeep_arguments(contract.request(), _document(contract)))


@pytest.mark.parametrize(("service", "contract"), INTAKE_OPERATIONS, ids=lambda v: getattr(v, "name", v))
def test_every_operation_answers_zeep_from_the_served_wsdl(
    gateway: LiveGateway, service: str, contract: OperationContract
) -> None:
    code = AGENCY_OF_SERVICE[service]
    _, proxy, _ = soap_client(gateway.base, service, code, gateway.keys[code])
    arguments = zeep_arguments(contract.request(), _document(contract))

    receipt = getattr(proxy, contract.name)(**arguments)
    resend = getattr(proxy, contract.name)(**arguments)
    status = proxy.GetStatus(RequestId=receipt.Id)
    withdrawn = proxy.Withdraw(RequestId=receipt.Id, Reason="retained_lawyer", Note="家属已委托律师")
    again = proxy.Withdraw(RequestId=receipt.Id, Reason="retained_lawyer")
    after = proxy.GetStatus(RequestId=receipt.Id)

    assert (receipt.Created, receipt.State, receipt.StatusUrl) == (True, "received", f"/api/v1/requests/{receipt.Id}")
    assert receipt.Deadline.DueAt.tzinfo is not None and receipt.Deadline.Basis
    assert (resend.Id, resend.Created) == (receipt.Id, False)
    assert (status.Id, status.Kind, status.State) == (receipt.Id, receipt.Kind, "received")
    assert [event.Event for event in status.History.Event] == ["received"]
    assert withdrawn.State == again.State == after.State == "withdrawn"
    assert [event.Event for event in after.History.Event] == ["received", "withdrawn"]


def test_the_soap12_port_answers_in_soap12(gateway: LiveGateway) -> None:
    service = soap_services()[0]
    code = AGENCY_OF_SERVICE[service.name]
    _, proxy, history = soap_client(gateway.base, service.name, code, gateway.keys[code], port="Soap12")

    receipt = getattr(proxy, service.contracts[0].name)(
        **zeep_arguments(service.contracts[0].request(), _document(service.contracts[0]))
    )

    assert receipt.Created is True
    assert etree.QName(history.last_received["envelope"]).namespace == SOAP12.namespace
    assert etree.QName(history.last_sent["envelope"]).namespace == SOAP12.namespace


def test_password_text_token_is_accepted_and_a_wrong_key_is_a_client_fault(gateway: LiveGateway) -> None:
    code = AGENCY_OF_SERVICE["court"]
    contract = INTAKE_OPERATIONS[0][1]
    receipt = _call(gateway, "court", contract, digest=False)
    _, proxy, _ = soap_client(gateway.base, "court", code, "lagw_not-the-key")

    with pytest.raises(Fault) as refused:
        proxy.GetStatus(RequestId=receipt.Id)

    assert refused.value.code.endswith("Client")
    assert refused.value.detail.findtext("{*}GatewayFault/{*}Code") == "unauthenticated"


def test_an_agency_reads_only_its_own_requests_over_soap(gateway: LiveGateway) -> None:
    contract = next(contract for service, contract in INTAKE_OPERATIONS if service == "procuratorate")
    receipt = _call(gateway, "procuratorate", contract)
    other = gateway.services.agencies.list()
    assert any(agency.code == "proc-370200" for agency in other)
    _, court, _ = soap_client(gateway.base, "court", "court-370202", gateway.keys["court-370202"])

    with pytest.raises(Fault) as refused:
        court.GetStatus(RequestId=receipt.Id)

    assert refused.value.detail.findtext("{*}GatewayFault/{*}Code") == "request-not-found"


class _FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def test_a_soap_notice_and_its_rest_twin_give_the_same_canonical_message(tmp_path: Path, amqp_url: str) -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    service, contract = INTAKE_OPERATIONS[0]
    code = AGENCY_OF_SERVICE[service]
    bodies = {}
    for channel in ("rest", "soap"):
        (tmp_path / channel).mkdir()
        with running_gateway(tmp_path / channel, amqp_url, clock=_FixedClock(at)) as gateway:
            if channel == "rest":
                assert gateway.post("/api/v1/court/defense-notices", code, _document(contract)).status_code == 202
            else:
                assert _call(gateway, service, contract).Created is True
            with running_relay(gateway.services, amqp_url):
                wait_for(lambda gw=gateway: gw.services.outbox.pending_count() == 0, what="outbox drained")
        [(_, properties, body)] = drain_queue(amqp_url, ASSIGNMENT_QUEUE)
        message = json.loads(body)
        assert message["source"]["channel"] == channel and properties.message_id == message["id"]
        for volatile in ("id",):
            message.pop(volatile)
        message["source"].pop("channel")
        bodies[channel] = message

    assert bodies["soap"] == bodies["rest"]


def test_a_soap_resend_of_a_rest_notice_returns_the_same_id(gateway: LiveGateway) -> None:
    service, contract = INTAKE_OPERATIONS[0]
    rest = gateway.post("/api/v1/court/defense-notices", AGENCY_OF_SERVICE[service], _document(contract))

    soap = _call(gateway, service, contract)

    assert rest.status_code == 202
    assert (soap.Id, soap.Created) == (rest.json()["id"], False)


@pytest.mark.parametrize("version", [SOAP11, SOAP12], ids=lambda v: v.name)
def test_the_wsdl_names_both_ports_at_the_address_it_was_fetched_from(gateway: LiveGateway, version: Any) -> None:
    client, _, _ = soap_client(gateway.base, "police", "police-370203", gateway.keys["police-370203"])
    ports = client.wsdl.services["PoliceService"].ports

    assert {port.binding_options["address"] for port in ports.values()} == {f"{gateway.base}/soap/police"}
    assert {"PoliceSoap11", "PoliceSoap12"} == set(ports)
    assert {"TransferApplication", "RequestDutyLawyer", "GetStatus", "Withdraw"} <= set(
        ports[f"PoliceSoap{version.name.replace('.', '')}"].binding._operations
    )
