"""Every error as a SOAP Fault in the caller's version, with a detail a program can act on."""

from flask import Response, current_app, g, request
from lxml import etree

from gateway.errors import GatewayError, MustUnderstand, RateLimited, VersionMismatch
from gateway.web.soap.envelope import SOAP11, SOAP12, VERSIONS, SoapVersion, version_for

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PROBLEM_BASE = "/problems/"


def fault_envelope(version: SoapVersion, error: GatewayError, detail_namespace: str) -> bytes:
    """A Fault: Client/Sender for the caller's mistakes, Server/Receiver for ours; the detail names the code."""
    nsmap = {version.prefix: version.namespace, "gw": detail_namespace}
    envelope = etree.Element(version.qname("Envelope"), nsmap=nsmap)
    if isinstance(error, VersionMismatch) and version is SOAP12:
        _add_upgrade_header(envelope)
    body = etree.SubElement(envelope, version.qname("Body"))
    fault = etree.SubElement(body, version.qname("Fault"))
    code = f"{version.prefix}:{_fault_code(version, error)}"
    detail = _detail(error, detail_namespace)
    if version is SOAP12:
        code_element = etree.SubElement(fault, version.qname("Code"))
        etree.SubElement(code_element, version.qname("Value")).text = code
        subcode = etree.SubElement(code_element, version.qname("Subcode"))
        etree.SubElement(subcode, version.qname("Value")).text = f"gw:{error.code}"
        reason = etree.SubElement(fault, version.qname("Reason"))
        text = etree.SubElement(reason, version.qname("Text"))
        text.set(XML_LANG, "en")
        text.text = error.detail
        etree.SubElement(fault, version.qname("Detail")).append(detail)
    else:
        etree.SubElement(fault, "faultcode").text = code
        etree.SubElement(fault, "faultstring").text = error.detail
        etree.SubElement(fault, "detail").append(detail)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def _fault_code(version: SoapVersion, error: GatewayError) -> str:
    if isinstance(error, VersionMismatch):
        return "VersionMismatch"
    if isinstance(error, MustUnderstand):
        return "MustUnderstand"
    return version.sender_fault if error.status < 500 else version.receiver_fault


def _detail(error: GatewayError, namespace: str) -> etree._Element:
    """<gw:GatewayFault>: Code (as the REST problem type), Type, Message, Errors (Path, Message)."""
    fault = etree.Element(f"{{{namespace}}}GatewayFault")
    for name, value in (("Code", error.code), ("Type", PROBLEM_BASE + error.code), ("Message", error.detail)):
        etree.SubElement(fault, f"{{{namespace}}}{name}").text = value
    if error.errors:
        errors = etree.SubElement(fault, f"{{{namespace}}}Errors")
        for path, messages in error.errors.items():
            for message in messages:
                item = etree.SubElement(errors, f"{{{namespace}}}Error")
                etree.SubElement(item, f"{{{namespace}}}Path").text = path
                etree.SubElement(item, f"{{{namespace}}}Message").text = message
    return fault


def _add_upgrade_header(envelope: etree._Element) -> None:
    """SOAP 1.2 part 1 §5.4.7: tell the caller which envelope versions we speak."""
    header = etree.SubElement(envelope, SOAP12.qname("Header"))
    upgrade = etree.SubElement(header, SOAP12.qname("Upgrade"))
    for index, version in enumerate(VERSIONS):
        prefix = f"v{index}"
        supported = etree.SubElement(upgrade, SOAP12.qname("SupportedEnvelope"), nsmap={prefix: version.namespace})
        supported.set("qname", f"{prefix}:Envelope")


FALLBACK_NAMESPACE = "urn:legal-aid-gateway:soap:faults:1"
SERVICES_EXTENSION = "lagw.soap"


def fault_response(error: GatewayError) -> Response:
    """The Fault for an error on a /soap/ path: HTTP 500 (WS-I BP R1126), in the request's SOAP version.

    Over the rate limit it is 429 with the same Fault: a proxy, a load balancer or a client's retry policy
    acts on 429 and Retry-After (RFC 6585), which a 500 would hide; SOAP stacks read the Fault either way.
    """
    version = version_for(request.mimetype) or SOAP11
    name = request.path.removeprefix("/soap/").partition("/")[0]
    namespaces: dict[str, str] = current_app.extensions.get(SERVICES_EXTENSION, {})
    body = fault_envelope(version, error, namespaces.get(name, FALLBACK_NAMESPACE))
    g.problem_code = error.code  # for the intake metrics
    status = 429 if isinstance(error, RateLimited) else 500
    response = Response(body, status=status, content_type=f"{version.media_type}; charset=utf-8")
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response
