"""One agency's SOAP service: its WSDL and XSD, its operations, and the way a request reaches them."""

import threading
from collections.abc import Callable
from datetime import timedelta
from importlib import resources

from flask import Blueprint, Response, request
from lxml import etree

from gateway.domain.enums import AgencyType
from gateway.errors import InvalidInput, PayloadTooLarge, UnknownOperation, UnsupportedMediaType
from gateway.ports import RawPayload
from gateway.rules.permissions import check_service
from gateway.web.context import services
from gateway.web.soap.call import SoapCall
from gateway.web.soap.dialect import list_elements, schema_error_path
from gateway.web.soap.envelope import SOAP11, SOAP12, open_envelope, response_envelope, version_for
from gateway.web.soap.hardened import PARSER, parse_untrusted
from gateway.web.soap.security import SECURITY_HEADER, WSSE, TokenVerifier, read_username_token
from gateway.web.soap.standard_ops import STANDARD_OPERATIONS
from gateway.web.soap.wsdl import FAULT, SOAP11_BINDING, SOAP12_BINDING, wsdl_document
from gateway.web.soap.xsd import OperationContract, XsdWriter
from schemas.soap import GatewayFaultSchema

Operation = Callable[[SoapCall], etree._Element]
SOAP_PREFIX = "/soap/"


class SoapService:
    """A document/literal wrapped service; its XSD is compiled once, when the app is built."""

    def __init__(self, name: str, agency_type: AgencyType, namespace: str, title: str, package: str) -> None:
        self.name = name
        self.agency_type = agency_type
        self.namespace = namespace
        self.title = title
        self._package = package
        self._operations: dict[str, tuple[OperationContract, Operation]] = {}
        for contract, function in STANDARD_OPERATIONS:
            self.operation(contract)(function)

    def operation(self, contract: OperationContract) -> Callable[[Operation], Operation]:
        """Register the function that answers the body element `contract.name`."""

        def register(function: Operation) -> Operation:
            self._operations[self._qname(contract.name)] = (contract, function)
            return function

        return register

    @property
    def contracts(self) -> list[OperationContract]:
        """The operations, service-specific ones first, in the order registered."""
        found = [contract for contract, _ in self._operations.values()]
        standard = [contract for contract, _ in STANDARD_OPERATIONS]
        return [c for c in found if c not in standard] + standard

    def xsd_document(self) -> bytes:
        """The XSD as written from the contracts' schemas."""
        writer = XsdWriter(self.namespace)
        writer.add_operations(self.contracts)
        writer.add_element(FAULT, GatewayFaultSchema, "The detail of every Fault this service answers.")
        return writer.document()

    def wsdl_document(self) -> bytes:
        """The WSDL as written from the contracts."""
        return wsdl_document(self.name, self.namespace, self.title, self.contracts, self.xsd_document())

    def blueprint(self) -> Blueprint:
        """Load and compile the shipped WSDL and XSD; the Flask routes: GET ?wsdl / ?xsd, POST envelopes."""
        files = resources.files(self._package)
        self._wsdl = etree.fromstring(files.joinpath(f"{self.name}.wsdl").read_bytes(), PARSER)
        self._xsd = files.joinpath(f"{self.name}.xsd").read_bytes()
        xsd_tree = etree.ElementTree(etree.fromstring(self._xsd, PARSER))
        self._schema = etree.XMLSchema(xsd_tree)
        self._schema_lock = threading.Lock()  # validation shares the compiled schema's error log
        self._lists = list_elements(xsd_tree)
        blp = Blueprint(f"soap_{self.name}", __name__)
        blp.add_url_rule(SOAP_PREFIX + self.name, "describe", self._describe, methods=["GET"])
        blp.add_url_rule(SOAP_PREFIX + self.name, "call", self._call, methods=["POST"])
        return blp

    def _describe(self) -> Response:
        if "wsdl" in {key.lower() for key in request.args}:
            return Response(self._wsdl_for(request.base_url), content_type="text/xml; charset=utf-8")
        if "xsd" in {key.lower() for key in request.args}:
            return Response(self._xsd, content_type="text/xml; charset=utf-8")
        raise UnknownOperation(f"GET {request.path}?wsdl for the service description; POST SOAP envelopes here")

    def _call(self) -> Response:
        version = version_for(request.mimetype)
        if version is None:
            raise UnsupportedMediaType(
                f"send SOAP 1.1 as {SOAP11.media_type} or SOAP 1.2 as {SOAP12.media_type}, "
                f"not {request.mimetype or 'nothing'}"
            )
        body = _read_body()
        root = parse_untrusted(body)
        envelope = open_envelope(root, version, understood={SECURITY_HEADER})
        verifier = TokenVerifier(
            services().agencies,
            services().nonces,
            services().clock.now,
            timedelta(seconds=services().settings.token_window_seconds),
        )
        agency = verifier.verify(read_username_token(envelope.header))
        found = self._operations.get(envelope.operation.tag)
        if found is None:
            names = ", ".join(contract.name for contract in self.contracts)
            raise UnknownOperation(
                f"{envelope.operation.tag} is not an operation of the {self.name} service; "
                f"it takes {names} in {self.namespace}"
            )
        contract, operation = found
        check_service(agency, self.agency_type)
        self._validate(envelope.operation)
        raw = RawPayload(content_type=request.mimetype, body=_without_secrets(root))
        call = SoapCall(contract, self.namespace, self.agency_type, self._lists, agency, envelope.operation, raw)
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

    def _wsdl_for(self, address: str) -> bytes:
        """The WSDL with each port's address set to where this request reached the service."""
        wsdl = etree.fromstring(etree.tostring(self._wsdl), PARSER)
        for namespace in (SOAP11_BINDING, SOAP12_BINDING):
            for node in wsdl.iter(f"{{{namespace}}}address"):
                node.set("location", address)
        return bytes(etree.tostring(wsdl, xml_declaration=True, encoding="UTF-8"))

    def _qname(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"


def _read_body() -> bytes:
    """The request body; a declared length is checked before a byte is read, a chunked one as it is read."""
    limit = services().settings.max_body_bytes
    if request.content_length is not None:
        if request.content_length > limit:
            raise PayloadTooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
        return request.get_data(cache=False)
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # a server that does not terminate chunked input gives nothing safe to read
    # Werkzeug's own limit cuts a chunked body short silently; read one byte past it to tell.
    body: bytes = request.environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
    return body


def _without_secrets(root: etree._Element) -> bytes:
    """The envelope as kept on record: the UsernameToken's password and nonce are blanked."""
    for name in ("Password", "Nonce"):
        for node in root.iter(f"{{{WSSE}}}{name}"):
            node.text = "[redacted]"
    return bytes(etree.tostring(root, encoding="UTF-8"))
