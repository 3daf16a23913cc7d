"""SOAP as the agencies' systems speak it: zeep clients on our WSDL, and raw envelopes from examples/."""

from typing import Any

import requests
from lxml import etree
from marshmallow import Schema, fields
from zeep import Client
from zeep import Settings as ZeepSettings
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from adapters.examples import sample_path
from gateway.contracts.dialect import pascal_case
from gateway.contracts.xsd import item_name
from gateway.logs import keep_bodies_out_of_logs
from gateway.web.soap.envelope import SOAP11, SoapVersion
from gateway.web.soap.samples import SAMPLE_PASSWORD, SAMPLE_USERNAME

FAULT_NS = {"gw": "urn:legal-aid-gateway:court:1"}


def soap_client(
    base: str, service: str, code: str, key: str, *, digest: bool = True, port: str = "Soap11"
) -> tuple[Client, Any, HistoryPlugin]:
    """A zeep client that loads the WSDL from the live gateway, as an agency's developer would.

    It stands for an agency's system: its zeep logs no envelope at DEBUG (the gateway's rule for its own zeep),
    so that a test run alone reports only what the gateway logs.
    """
    keep_bodies_out_of_logs()
    history = HistoryPlugin()
    client = Client(
        f"{base}/soap/{service}?wsdl",
        settings=ZeepSettings(strict=True, forbid_external=True, forbid_dtd=True),
        transport=Transport(timeout=10, operation_timeout=10),
        wsse=UsernameToken(code, key, use_digest=digest),
        plugins=[history],
    )
    name = service.capitalize()
    proxy = client.bind(f"{name}Service", f"{name}{port}")
    return client, proxy, history


def zeep_arguments(schema: Schema, document: dict[str, Any]) -> dict[str, Any]:
    """A REST sample as the keyword arguments zeep takes for the same SOAP operation."""
    arguments: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name not in document:
            continue
        element = pascal_case(name)
        arguments[element] = _argument(element, field, document[name])
    return arguments


def _argument(element: str, field: fields.Field[Any], value: Any) -> Any:
    if isinstance(field, fields.List):
        return {item_name(element, field): [_argument(element, field.inner, item) for item in value]}
    if isinstance(field, fields.Nested):
        return zeep_arguments(field.schema, value)
    return value


def sample_envelope(service: str, operation: str, version: SoapVersion, code: str, key: str) -> bytes:
    """examples/<service>/<operation>.soap11.xml (or soap12) with the agency's credentials filled in."""
    path = sample_path(f"{service}/{operation}.soap{version.name.replace('.', '')}.xml")
    body = path.read_bytes()
    return body.replace(SAMPLE_USERNAME.encode(), code.encode()).replace(SAMPLE_PASSWORD.encode(), key.encode())


def post_envelope(
    base: str, service: str, body: bytes, version: SoapVersion = SOAP11, content_type: str | None = None
) -> requests.Response:
    """POST a raw envelope with the content type of its SOAP version."""
    headers = {"Content-Type": content_type or f"{version.media_type}; charset=utf-8"}
    if version is SOAP11 and content_type is None:
        headers["SOAPAction"] = '""'
    return requests.post(f"{base}/soap/{service}", data=body, headers=headers, timeout=30)


def fault_of(response: requests.Response) -> dict[str, Any]:
    """The fault code, the gateway's detail code and the error paths of a Fault response."""
    root = etree.fromstring(response.content)
    code = root.findtext(".//faultcode") or root.findtext(".//{*}Code/{*}Value")
    return {
        "status": response.status_code,
        "content_type": response.headers["Content-Type"].split(";")[0],
        "fault": (code or "").split(":")[-1],
        "code": root.findtext(".//{*}GatewayFault/{*}Code"),
        "paths": [path.text for path in root.iterfind(".//{*}GatewayFault/{*}Errors/{*}Error/{*}Path")],
        "message": root.findtext(".//{*}GatewayFault/{*}Message"),
    }
