"""Operations every agency's service has (status, withdrawal, proof of service, missing materials), over the
same use cases as REST."""

from lxml import etree

from gateway.contracts.xsd import OperationContract
from gateway.service.request_status import status_of
from gateway.web.context import services
from gateway.web.soap.call import SoapCall
from gateway.web.status import status_body
from schemas.receipt import StatusSchema
from schemas.soap import ProofOfServiceCallSchema, StatusQuerySchema, SupplyMaterialsCallSchema, WithdrawCallSchema


def get_status(call: SoapCall) -> etree._Element:
    """The state, deadline and history of a request the caller sent."""
    query = call.load()
    return call.respond(status_body(status_of(services().requests, query["request_id"], call.agency)))


def withdraw(call: SoapCall) -> etree._Element:
    """Withdraw a request the caller sent; the centre learns it through the bus."""
    order = call.load()
    with call.element_paths({}):
        services().withdrawals.withdraw(call.agency, order["request_id"], order["reason"], order.get("note"))
    return call.respond(status_body(status_of(services().requests, order["request_id"], call.agency)))


def prove_service(call: SoapCall) -> etree._Element:
    """送达回证: the caller handed the centre's written decision to the applicant."""
    proof = call.load()
    with call.element_paths({}):
        services().proofs_of_service.record(call.agency, proof["request_id"], proof["served_at"])
    return call.respond(status_body(status_of(services().requests, proof["request_id"], call.agency)))


def supply_materials(call: SoapCall) -> etree._Element:
    """The missing materials the centre asked for, by reference and digest."""
    supply = call.load()
    with call.element_paths({}):
        services().materials.supply(call.agency, supply["request_id"], supply["supplied_at"], supply["documents"])
    return call.respond(status_body(status_of(services().requests, supply["request_id"], call.agency)))


GET_STATUS = OperationContract(
    "GetStatus", StatusQuerySchema, StatusSchema, "The state, deadline and history of a request this agency sent."
)
WITHDRAW = OperationContract(
    "Withdraw",
    WithdrawCallSchema,
    StatusSchema,
    "Withdraw a request this agency sent (e.g. the person retained a lawyer); the centre stops work.",
)
PROVE_SERVICE = OperationContract(
    "ProveService",
    ProofOfServiceCallSchema,
    StatusSchema,
    "送达回证: record that the applicant received the centre's written decision on an application this agency "
    "forwarded (LAL 43, 39).",
)
SUPPLY_MATERIALS = OperationContract(
    "SupplyMaterials",
    SupplyMaterialsCallSchema,
    StatusSchema,
    "The missing materials the centre asked for once (LAL 43 ¶2), by reference and SHA-256 digest; the review resumes.",
)
STANDARD_OPERATIONS = (
    (GET_STATUS, get_status),
    (WITHDRAW, withdraw),
    (PROVE_SERVICE, prove_service),
    (SUPPLY_MATERIALS, supply_materials),
)
