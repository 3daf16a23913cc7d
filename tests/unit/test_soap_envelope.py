"""Envelopes taken apart and faults put together, in both SOAP versions."""

import pytest
from lxml import etree

from gateway.contracts.hardened import parse_untrusted
from gateway.errors import ForbiddenXml, InvalidInput, MustUnderstand, UnknownOperation, VersionMismatch
from gateway.web.soap.envelope import SOAP11, SOAP12, SoapVersion, open_envelope
from gateway.web.soap.faults import fault_envelope

NS = "urn:example:agency"


def _envelope(version: SoapVersion, header: str = "", body: str = f'<op:Op xmlns:op="{NS}"/>') -> etree._Element:
    return etree.fromstring(
        f'<x:Envelope xmlns:x="{version.namespace}"><x:Header>{header}</x:Header><x:Body>{body}</x:Body></x:Envelope>'
    )


@pytest.mark.parametrize("version", [SOAP11, SOAP12], ids=lambda v: v.name)
def test_the_operation_is_the_one_body_element_whatever_the_prefix(version: SoapVersion) -> None:
    envelope = open_envelope(_envelope(version), version, understood=())

    assert envelope.operation.tag == f"{{{NS}}}Op"


def test_an_envelope_of_the_other_version_is_a_version_mismatch() -> None:
    with pytest.raises(VersionMismatch):
        open_envelope(_envelope(SOAP12), SOAP11, understood=())


def test_a_mandatory_header_for_us_must_be_understood_and_one_for_another_role_need_not() -> None:
    ours = f'<h:Trace xmlns:h="urn:h" x:mustUnderstand="true" xmlns:x="{SOAP12.namespace}"/>'
    theirs = (
        f'<h:Trace xmlns:h="urn:h" x:mustUnderstand="true" x:role="urn:some-intermediary" '
        f'xmlns:x="{SOAP12.namespace}"/>'
    )

    with pytest.raises(MustUnderstand):
        open_envelope(_envelope(SOAP12, ours), SOAP12, understood=())
    assert open_envelope(_envelope(SOAP12, theirs), SOAP12, understood=()).operation is not None
    assert open_envelope(_envelope(SOAP12, ours), SOAP12, understood={"{urn:h}Trace"}).operation is not None


@pytest.mark.parametrize(
    ("body", "error"), [("", UnknownOperation), (f'<a xmlns="{NS}"/><b xmlns="{NS}"/>', InvalidInput)]
)
def test_the_body_holds_exactly_one_operation(body: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        open_envelope(_envelope(SOAP11, body=body), SOAP11, understood=())


def test_a_doctype_is_refused_in_any_encoding() -> None:
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16")

    with pytest.raises(ForbiddenXml):
        parse_untrusted(utf16)


@pytest.mark.parametrize(
    ("version", "expected"), [(SOAP11, "soap:Client"), (SOAP12, "env:Sender")], ids=lambda v: getattr(v, "name", v)
)
def test_a_fault_names_the_culprit_and_carries_the_code_and_paths(version: SoapVersion, expected: str) -> None:
    error = InvalidInput("bad", errors={"/Op/Name": ["required"]})

    fault = etree.fromstring(fault_envelope(version, error, NS))

    code = fault.findtext(".//faultcode") if version is SOAP11 else fault.findtext(".//{*}Code/{*}Value")
    assert code == expected
    assert fault.findtext(f".//{{{NS}}}GatewayFault/{{{NS}}}Code") == "validation-failed"
    assert fault.findtext(f".//{{{NS}}}GatewayFault/{{{NS}}}Type") == "/problems/validation-failed"
    assert fault.findtext(f".//{{{NS}}}Error/{{{NS}}}Path") == "/Op/Name"


def test_our_own_failure_is_a_server_fault() -> None:
    from gateway.errors import GatewayError

    fault = etree.fromstring(fault_envelope(SOAP11, GatewayError("oops"), NS))

    assert fault.findtext(".//faultcode") == "soap:Server"
