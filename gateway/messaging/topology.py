"""The RabbitMQ topology, declared idempotently by whoever connects first."""

from pika.adapters.blocking_connection import BlockingChannel

from gateway.domain.enums import Kind
from gateway.service.messages import EVENTS_EXCHANGE, REQUESTS_EXCHANGE

DEAD_LETTER_EXCHANGE = "legalaid.dlx"
ASSIGNMENT_QUEUE = "legalaid.assignment"
APPOINTMENTS_QUEUE = "legalaid.appointments"  # centres' answers, published to it through the default exchange
DEAD_LETTER_QUEUE = "legalaid.dead"
DELIVERY_LIMIT = 5  # a message redelivered more often than this is poison: dead-lettered

EXCHANGES = (REQUESTS_EXCHANGE, EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE)
QUEUES = (ASSIGNMENT_QUEUE, APPOINTMENTS_QUEUE, DEAD_LETTER_QUEUE)


def assignment_bindings() -> list[str]:
    """Routing-key patterns that reach the assignment queue: every request kind and withdrawals, every centre."""
    return [*(f"{kind.value}.*" for kind in Kind), "withdrawal.*", "materials.*"]


def declare_topology(channel: BlockingChannel) -> None:
    """Declare exchanges, queues and bindings; safe to call any number of times."""
    for exchange in EXCHANGES:
        channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
    channel.queue_declare(queue=DEAD_LETTER_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(queue=DEAD_LETTER_QUEUE, exchange=DEAD_LETTER_EXCHANGE, routing_key="#")
    for queue in (ASSIGNMENT_QUEUE, APPOINTMENTS_QUEUE):
        channel.queue_declare(
            queue=queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                "x-delivery-limit": DELIVERY_LIMIT,
            },
        )
    for pattern in assignment_bindings():
        channel.queue_bind(queue=ASSIGNMENT_QUEUE, exchange=REQUESTS_EXCHANGE, routing_key=pattern)
