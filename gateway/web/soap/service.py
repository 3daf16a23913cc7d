"""One agency's SOAP service: its operations and their contracts, from which its WSDL and XSD are written."""

from collections.abc import Callable
from importlib import resources

from flask import Blueprint
from lxml import etree

from gateway.contracts.xsd import OperationContract, XsdWriter
from gateway.domain.enums import AgencyType
from gateway.errors import UnknownOperation
from gateway.web.soap.call import SoapCall
from gateway.web.soap.endpoint import SoapEndpoint
from gateway.web.soap.standard_ops import STANDARD_OPERATIONS
from gateway.web.soap.wsdl import FAULT, wsdl_document
from schemas.soap import GatewayFaultSchema

Operation = Callable[[SoapCall], etree._Element]
SOAP_PREFIX = "/soap/"


class SoapService:
    """A document/literal wrapped service; its XSD is compiled once, when the app is built."""

    def __init__(
        self,
        name: str,
        agency_type: AgencyType,
        namespace: str,
        title: str,
        package: str,
        standard_operations: bool = True,
    ) -> None:
        self.name = name
        self.agency_type = agency_type
        self.namespace = namespace
        self.title = title
        self._package = package
        self._operations: dict[str, tuple[OperationContract, Operation]] = {}
        self._standard = [contract for contract, _ in STANDARD_OPERATIONS] if standard_operations else []
        for contract, function in STANDARD_OPERATIONS if standard_operations else ():
            self.operation(contract)(function)

    def operation(self, contract: OperationContract) -> Callable[[Operation], Operation]:
        """Register the function that answers the body element `contract.name`."""

        def register(function: Operation) -> Operation:
            self._operations[self._qname(contract.name)] = (contract, function)
            return function

        return register

    def declare(self, contract: OperationContract) -> None:
        """Describe an operation the agency runs (a callback): in the WSDL, not served by the gateway."""

        def run_by_the_agency(call: SoapCall) -> etree._Element:
            raise UnknownOperation(f"{contract.name} is run by the agency's system, not by the gateway")

        self.operation(contract)(run_by_the_agency)

    @property
    def contracts(self) -> list[OperationContract]:
        """The operations, service-specific ones first, in the order registered."""
        found = [contract for contract, _ in self._operations.values()]
        return [c for c in found if c not in self._standard] + self._standard

    def xsd_document(self) -> bytes:
        """The XSD as written from the contracts' schemas."""
        writer = XsdWriter(self.namespace)
        writer.add_operations(self.contracts)
        writer.add_element(FAULT, GatewayFaultSchema, "The detail of every Fault this service answers.")
        return writer.document()

    def wsdl_document(self) -> bytes:
        """The WSDL as written from the contracts."""
        return wsdl_document(self.name, self.namespace, self.title, self.contracts, self.xsd_document())

    def find(self, tag: str) -> tuple[OperationContract, Operation] | None:
        """The contract and function for a body element's Clark name, if it is one of ours."""
        return self._operations.get(tag)

    def blueprint(self) -> Blueprint:
        """The Flask routes, GET ?wsdl / ?xsd and POST envelopes, over the shipped WSDL and XSD compiled now."""
        endpoint = SoapEndpoint(self, resources.files(self._package))
        blp = Blueprint(f"soap_{self.name}", __name__)
        blp.add_url_rule(SOAP_PREFIX + self.name, "describe", endpoint.describe, methods=["GET"])
        blp.add_url_rule(SOAP_PREFIX + self.name, "call", endpoint.call, methods=["POST"])
        return blp

    def _qname(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"
