"""Operations every agency's service has: GetStatus and Withdraw, over the same use cases as REST."""

from lxml import etree

from gateway.request_status import status_of
from gateway.web.context import services
from gateway.web.soap.call import SoapCall
from gateway.web.soap.xsd import OperationContract
from gateway.web.status import status_body
from schemas.receipt import StatusSchema
from schemas.soap import StatusQuerySchema, WithdrawCallSchema


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


GET_STATUS = OperationContract(
    "GetStatus", StatusQuerySchema, StatusSchema, "The state, deadline and history of a request this agency sent."
)
WITHDRAW = OperationContract(
    "Withdraw",
    WithdrawCallSchema,
    StatusSchema,
    "Withdraw a request this agency sent (e.g. the person retained a lawyer); the centre stops work.",
)
STANDARD_OPERATIONS = ((GET_STATUS, get_status), (WITHDRAW, withdraw))
