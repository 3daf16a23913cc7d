"""The shipped WSDL, XSD and sample envelopes are what the dialect schemas say, and agree with REST."""

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from adapters.examples import sample_path
from adapters.soap import callback_services, soap_services
from gateway.contracts.dialect import element_path, list_elements, schema_error_path, snake_case, to_dialect
from gateway.web.soap.envelope import VERSIONS
from gateway.web.soap.samples import sample_envelope, sample_file_name
from gateway.web.soap.service import SoapService

ROOT = Path(__file__).resolve().parents[2]
SERVICES = soap_services()
ALL_SERVICES = [*SERVICES, *callback_services()]
REGENERATE = "run `make soap-contracts` and commit the result"


def _shipped(service: SoapService, suffix: str) -> bytes:
    folder = ROOT / "adapters" / service.name.removesuffix("-callback") / "wsdl"
    return (folder / f"{service.name}.{suffix}").read_bytes()


@pytest.mark.parametrize("service", ALL_SERVICES, ids=lambda s: s.name)
def test_the_shipped_wsdl_and_xsd_are_written_from_the_dialect_schemas(service: SoapService) -> None:
    assert _shipped(service, "xsd") == service.xsd_document(), REGENERATE
    assert _shipped(service, "wsdl") == service.wsdl_document(), REGENERATE


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_sample_envelope_is_current_and_valid_against_the_xsd(service: SoapService) -> None:
    schema = etree.XMLSchema(etree.fromstring(_shipped(service, "xsd")))
    for contract in service.contracts:
        if contract.example is None:
            continue
        document = json.loads(sample_path(contract.example).read_text(encoding="utf-8"))
        for version in VERSIONS:
            shipped = sample_path(f"{service.name}/{sample_file_name(contract, version)}").read_bytes()
            assert shipped == sample_envelope(service.namespace, contract, document, version), REGENERATE
            operation = etree.fromstring(shipped).find(f"{version.qname('Body')}/*")
            assert schema.validate(operation), schema.error_log


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_a_sample_envelope_loads_to_the_same_document_as_its_json_twin(service: SoapService) -> None:
    xsd = etree.ElementTree(etree.fromstring(_shipped(service, "xsd")))
    lists = list_elements(xsd)
    for contract in service.contracts:
        if contract.example is None:
            continue
        document = json.loads(sample_path(contract.example).read_text(encoding="utf-8"))
        envelope = sample_path(f"{service.name}/{sample_file_name(contract, VERSIONS[0])}").read_bytes()
        operation = etree.fromstring(envelope).find(f"{VERSIONS[0].qname('Body')}/*")

        assert contract.request().load(to_dialect(operation, lists)) == contract.request().load(document)


def test_list_elements_are_found_from_the_xsd_types() -> None:
    court = SERVICES[0]
    lists = list_elements(etree.ElementTree(etree.fromstring(court.xsd_document())))

    assert {"Charges", "Grounds", "Disabilities", "Attachments", "History", "Errors"} <= lists
    assert "Defendant" not in lists


def test_names_and_paths_translate_between_the_dialects() -> None:
    assert snake_case("IdNumber") == "id_number"
    assert snake_case("MonthlyIncomeYuan") == "monthly_income_yuan"
    assert element_path("NotifyDefense", "defendant.id_number") == "/NotifyDefense/Defendant/IdNumber"
    assert element_path("NotifyDefense", "charges.0") == "/NotifyDefense/Charges/*[1]"
    assert element_path("NotifyDefense", "_schema") == "/NotifyDefense"
    assert schema_error_path("/S:Envelope/S:Body/ag:NotifyDefense/ag:TrialStage", "NotifyDefense") == (
        "/NotifyDefense/TrialStage"
    )


def test_enumerations_in_the_xsd_are_the_canonical_values() -> None:
    from gateway.domain.enums import Ground, Stage

    xsd = etree.fromstring(SERVICES[0].xsd_document())
    ns = {"xs": "http://www.w3.org/2001/XMLSchema"}
    for enum in (Ground, Stage):
        values = xsd.xpath(f"xs:simpleType[@name='{enum.__name__}']//xs:enumeration/@value", namespaces=ns)
        assert values == [member.value for member in enum]


WSP = "http://www.w3.org/ns/ws-policy"
SP = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
WSU_ID = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id"


@pytest.mark.parametrize("service", ALL_SERVICES, ids=lambda s: s.name)
def test_the_wsdl_declares_a_username_token_on_every_request_and_none_on_answers(service: SoapService) -> None:
    wsdl = etree.fromstring(_shipped(service, "wsdl"))
    policies = {policy.get(WSU_ID): policy for policy in wsdl.findall(f"{{{WSP}}}Policy")}
    operations = wsdl.findall("{*}binding/{*}operation")

    token = policies["UsernameTokenPolicy"].find(f"{{{SP}}}SupportingTokens/{{{WSP}}}Policy/{{{SP}}}UsernameToken")
    assert token is not None and token.get(f"{{{SP}}}IncludeToken", "").endswith("/AlwaysToRecipient")
    assert token.find(f"{{{WSP}}}Policy/{{{SP}}}WssUsernameToken10") is not None
    assert len(operations) == 2 * len(service.contracts)  # a SOAP 1.1 and a SOAP 1.2 binding
    for operation in operations:
        referenced = operation.findall(f"{{*}}input/{{{WSP}}}PolicyReference")
        assert [reference.get("URI") for reference in referenced] == ["#UsernameTokenPolicy"]
        assert operation.find(f"{{*}}output/{{{WSP}}}PolicyReference") is None


XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.mark.parametrize("service", ALL_SERVICES, ids=lambda s: s.name)
def test_every_element_is_documented_in_chinese_and_english_and_every_enum_value_named(
    service: SoapService,
) -> None:
    schema = etree.fromstring(service.xsd_document())
    fields = [node for node in schema.iter(XS + "element") if node.getparent().tag == XS + "sequence"]
    undocumented = [
        node.get("name")
        for node in fields
        if not re.search(r"[\u4e00-\u9fff].* · .*[A-Za-z]{3}", node.findtext(f"{XS}annotation/{XS}documentation") or "")
    ]
    enum_types = [node for node in schema.iter(XS + "simpleType") if not str(node.get("name")).endswith("Choice")]
    unnamed = [
        (simple.get("name"), value.get("value"))
        for simple in enum_types
        for value in simple.iter(XS + "enumeration")
        if not re.search(r"[\u4e00-\u9fff]", value.findtext(f"{XS}annotation/{XS}documentation") or "")
    ]

    assert len(fields) > 30 and undocumented == []
    assert unnamed == []
