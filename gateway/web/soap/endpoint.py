"""Serving one SOAP service: its description, and the path from an envelope to its operation."""

import threading
from datetime import timedelta
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from flask import Response, g, request
from lxml import etree
from werkzeug.exceptions import ClientDisconnected

from gateway.contracts.dialect import list_elements, schema_error_path
from gateway.contracts.hardened import PARSER, parse_untrusted
from gateway.domain.enums import Kind
from gateway.errors import InvalidInput, MalformedBody, PayloadTooLarge, UnknownOperation, UnsupportedMediaType
from gateway.rules.authorization import check_service
from gateway.service.ports import RawPayload
from gateway.web.auth import check_client_certificate
from gateway.web.context import services
from gateway.web.rate_limits import count_agency_call
from gateway.web.request_ids import current_request_id
from gateway.web.soap.call import SoapCall
from gateway.web.soap.envelope import SOAP11, SOAP12, open_envelope, response_envelope, version_for
from gateway.web.soap.security import SECURITY_HEADER, WSSE, TokenVerifier, read_username_token
from gateway.web.soap.wsdl import SOAP11_BINDING, SOAP12_BINDING

if TYPE_CHECKING:
    from gateway.web.soap.service import SoapService

XML_CONTENT = "text/xml; charset=utf-8"


# The operations that bring a new message (the others read or withdraw one), for the intake metrics.
INTAKE_OPERATIONS = {
    "NotifyDefense": Kind.NOTIFY_DEFENSE,
    "TransferApplication": Kind.APPLICATION_TRANSFER,
    "RequestDutyLawyer": Kind.DUTY_LAWYER,
}


class SoapEndpoint:
    """One app's view of a service: the shipped WSDL and XSD, the XSD compiled once."""

    def __init__(self, service: "SoapService", files: Traversable) -> None:
        self._service = service
        self._wsdl = files.joinpath(f"{service.name}.wsdl").read_bytes()
        self._xsd = files.joinpath(f"{service.name}.xsd").read_bytes()
        xsd_tree = etree.ElementTree(etree.fromstring(self._xsd, PARSER))
        self._schema = etree.XMLSchema(xsd_tree)
        self._schema_lock = threading.Lock()  # validation shares the compiled schema's error log
        self._lists = list_elements(xsd_tree)

    def describe(self) -> Response:
        """GET ?wsdl: the WSDL at this service's address; GET ?xsd: the XSD alone."""
        asked = {key.lower() for key in request.args}
        if "wsdl" in asked:
            return Response(self._wsdl_at(self._address()), content_type=XML_CONTENT)
        if "xsd" in asked:
            return Response(self._xsd, content_type=XML_CONTENT)
        raise UnknownOperation(f"GET {request.path}?wsdl for the service description; POST SOAP envelopes here")

    def call(self) -> Response:
        """POST: envelope → version → credentials → rate limit → operation → XSD → the operation's answer."""
        service = self._service
        version = version_for(request.mimetype)
        if version is None:
            raise UnsupportedMediaType(
                f"send SOAP 1.1 as {SOAP11.media_type} or SOAP 1.2 as {SOAP12.media_type}, "
                f"not {request.mimetype or 'nothing'}"
            )
        root = parse_untrusted(_read_body())
        envelope = open_envelope(root, version, understood={SECURITY_HEADER})
        agency = _verifier().verify(read_username_token(envelope.header, version))
        check_client_certificate(agency)
        g.agency = agency
        count_agency_call(agency.code)
        found = service.find(envelope.operation.tag)
        if found is None:
            names = ", ".join(contract.name for contract in service.contracts)
            raise UnknownOperation(
                f"{envelope.operation.tag} is not an operation of the {service.name} service; "
                f"it takes {names} in {service.namespace}"
            )
        contract, operation = found
        g.soap_operation = contract.name
        if contract.name in INTAKE_OPERATIONS:
            g.intake_kind = INTAKE_OPERATIONS[contract.name].value
        check_service(agency, service.agency_type)
        self._validate(envelope.operation)
        raw = RawPayload(request.mimetype, _without_secrets(root), request_id=current_request_id())
        call = SoapCall(contract, service.namespace, service.agency_type, self._lists, agency, envelope.operation, raw)
        payload = operation(call)
        return Response(response_envelope(version, payload), content_type=f"{version.media_type}; charset=utf-8")

    def _validate(self, element: etree._Element) -> None:
        """The operation element against the XSD; every violation with the path of its element."""
        with self._schema_lock:
            valid = self._schema.validate(element)
            log = list(self._schema.error_log)
        if valid:
            return
        name = etree.QName(element).localname
        errors: dict[str, list[str]] = {}
        for entry in log:
            errors.setdefault(schema_error_path(entry.path, name), []).append(entry.message)
        raise InvalidInput("the message does not match the service's XSD; see errors", errors=errors)

    def _address(self) -> str:
        """The configured public URL (never the caller's Host header) when there is one."""
        public = services().settings.public_url
        return f"{public.rstrip('/')}/soap/{self._service.name}" if public else request.base_url

    def _wsdl_at(self, address: str) -> bytes:
        """The WSDL with each port's address set."""
        wsdl = etree.fromstring(self._wsdl, PARSER)
        for namespace in (SOAP11_BINDING, SOAP12_BINDING):
            for node in wsdl.iter(f"{{{namespace}}}address"):
                node.set("location", address)
        return bytes(etree.tostring(wsdl, xml_declaration=True, encoding="UTF-8"))


def _verifier() -> TokenVerifier:
    found = services()
    window = timedelta(seconds=found.settings.token_window_seconds)
    return TokenVerifier(found.agencies, found.nonces, found.clock.now, window)


def _read_body() -> bytes:
    """The request body; a declared length is checked before a byte is read, a chunked one as it is read."""
    limit = services().settings.max_body_bytes
    if request.content_length is not None:
        if request.content_length > limit:
            raise PayloadTooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
        declared = request.content_length
        try:
            body = request.get_data(cache=False)
        except (OSError, ClientDisconnected) as exc:
            raise MalformedBody(f"the body ended before its declared {declared} bytes") from exc
        if len(body) < declared:  # the client stopped sending: nothing of a part is stored
            raise MalformedBody(f"the body ended after {len(body)} of its declared {declared} bytes")
        return body
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # a server that does not terminate chunked input gives nothing safe to read
    # Werkzeug's own limit cuts a chunked body short silently; read one byte past it to tell.
    try:
        chunked: bytes = request.environ["wsgi.input"].read(limit + 1)
    except (OSError, ValueError, ClientDisconnected) as exc:  # the chunks stopped before the last one
        raise MalformedBody("the chunked body ended before its last chunk") from exc
    if len(chunked) > limit:
        raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
    return chunked


def _without_secrets(root: etree._Element) -> bytes:
    """The envelope as kept on record: the UsernameToken's password and nonce are blanked."""
    for name in ("Password", "Nonce"):
        for node in root.iter(f"{{{WSSE}}}{name}"):
            node.clear(keep_tail=True)
            node.text = "[redacted]"
    return bytes(etree.tostring(root, encoding="UTF-8"))
