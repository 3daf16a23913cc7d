"""Sample envelopes for each operation, written from the JSON samples so both transports show one notice."""

from typing import Any

from lxml import etree

from gateway.contracts.xsd import OperationContract
from gateway.web.soap.envelope import SOAP11, SOAP12, SoapVersion, response_envelope
from gateway.web.soap.render import render_element
from gateway.web.soap.security import username_token_header

SAMPLE_USERNAME = "AGENCY-CODE"
SAMPLE_PASSWORD = "AGENCY-KEY"

# Deliberately not the usual soap:/soapenv: prefixes: a receiver must go by namespaces, not by prefixes.
_PREFIXES: dict[SoapVersion, tuple[str, str | None]] = {SOAP11: ("S", "ag"), SOAP12: ("e", None)}


def sample_envelope(
    namespace: str, contract: OperationContract, document: dict[str, Any], version: SoapVersion
) -> bytes:
    """The operation's request envelope for `document` (the REST sample), with a placeholder UsernameToken."""
    envelope_prefix, payload_prefix = _PREFIXES[version]
    schema = contract.request()
    schema.load(document)  # a sample that does not load is a bug in the sample
    payload = render_element(namespace, contract.name, schema, document, prefix=payload_prefix)
    header = username_token_header(SAMPLE_USERNAME, SAMPLE_PASSWORD)
    body = response_envelope(version, payload, headers=[header], prefix=envelope_prefix)
    return bytes(etree.tostring(etree.fromstring(body), pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def sample_file_name(contract: OperationContract, version: SoapVersion) -> str:
    """`NotifyDefense.soap11.xml`."""
    return f"{contract.name}.soap{version.name.replace('.', '')}.xml"
