"""What goes on the bus for an accepted request: the canonical body and its AMQP properties."""

from gateway.domain.model import SCHEMA_VERSION, LegalAidRequest
from gateway.ports import OutboxMessage
from schemas.canonical import encode_request

REQUESTS_EXCHANGE = "legalaid.requests"


def request_message(request: LegalAidRequest, correlation_id: str | None = None) -> OutboxMessage:
    """The outbox row that carries a new request to the assignment queue."""
    return OutboxMessage(
        message_id=request.id,
        exchange=REQUESTS_EXCHANGE,
        routing_key=request.routing.routing_key,
        body=encode_request(request),
        headers={"schema": SCHEMA_VERSION, "kind": request.kind.value, "centre": request.routing.centre_code},
        correlation_id=correlation_id or request.id,
        request_id=request.id,
    )
