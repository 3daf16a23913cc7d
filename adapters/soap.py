"""An agency type's SOAP service, built from its declaration: one operation per declared operation, plus
GetStatus and Withdraw, with the same schema and mapping as REST."""

from functools import cache

from lxml import etree

from adapters.registry import callback_contracts, declarations
from gateway.contracts.agency import AgencyDeclaration, Operation
from gateway.contracts.xsd import OperationContract
from gateway.web.soap.call import SoapCall
from gateway.web.soap.service import SoapService
from schemas.soap import SoapReceiptSchema


def soap_service(agency: AgencyDeclaration) -> SoapService:
    """The service at /soap/<type>; its WSDL and XSD are written to adapters/<type>/wsdl/."""
    service = SoapService(
        name=agency.type.value,
        agency_type=agency.type,
        namespace=agency.namespace,
        title=agency.service_title,
        package=f"adapters.{agency.type}.wsdl",
    )
    for operation in agency.operations:
        _operation(service, agency, operation)
    return service


def operation_contract(agency: AgencyDeclaration, operation: Operation) -> OperationContract:
    """The SOAP contract of one operation, its samples written from the folder's JSON sample."""
    return OperationContract(
        operation.soap_name,
        operation.schema,
        SoapReceiptSchema,
        operation.summary,
        example=f"{agency.type}/{operation.sample}",
    )


def _operation(service: SoapService, agency: AgencyDeclaration, operation: Operation) -> None:
    def accept(call: SoapCall) -> etree._Element:
        return call.accept(operation.to_submission(call.load()), agency.field_names)

    service.operation(operation_contract(agency, operation))(accept)


def callback_service(agency: AgencyDeclaration, contract: OperationContract) -> SoapService:
    """The service described in adapters/<type>/wsdl/<type>-callback.wsdl; the gateway calls it, never serves it."""
    service = SoapService(
        name=f"{agency.type}-callback",
        agency_type=agency.type,
        namespace=agency.callback_namespace,
        title=f"Legal Aid Gateway: the service {agency.callback_runner} runs to receive the centre's replies",
        package=f"adapters.{agency.type}.wsdl",
        standard_operations=False,
    )
    service.declare(contract)
    return service


@cache
def soap_services() -> tuple[SoapService, ...]:
    """Each declared type's SOAP service (built once: its XSD is compiled on first use)."""
    return tuple(soap_service(found) for found in declarations())


@cache
def callback_services() -> tuple[SoapService, ...]:
    """The callback services the agencies run to hear back, as their WSDLs describe them."""
    contracts = callback_contracts()
    return tuple(callback_service(found, contracts[found.type]) for found in declarations())
