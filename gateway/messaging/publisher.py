"""Publishing with publisher confirms and `mandatory`: a return means the broker has the message."""

import time

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from gateway.messaging.topology import declare_topology
from gateway.outbox import EVENTS_EXCHANGE
from gateway.ports import OutboxMessage, PublishRefused

# Errors after which the connection is gone and must be made anew.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    pika.exceptions.StreamLostError,
    ConnectionError,
    OSError,
)


def connection_parameters(url: str) -> pika.URLParameters:
    """Parameters from an AMQP URL with sane timeouts for a long-running worker."""
    params = pika.URLParameters(url)
    params.heartbeat = 30
    params.blocked_connection_timeout = 60
    params.socket_timeout = 5
    params.connection_attempts = 1
    return params


class ConfirmedPublisher:
    """One blocking connection and channel in confirm mode; not thread-safe, one per worker."""

    def __init__(self, url: str) -> None:
        self._params = connection_parameters(url)
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def connect(self) -> None:
        """Open the connection, enable confirms and declare the topology."""
        self._connection = pika.BlockingConnection(self._params)
        channel = self._connection.channel()
        declare_topology(channel)
        channel.confirm_delivery()
        self._channel = channel

    def publish(self, message: OutboxMessage) -> None:
        """Publish one persistent message and wait for the broker's confirm."""
        if self._channel is None:
            raise pika.exceptions.AMQPConnectionError("publisher is not connected")
        properties = pika.BasicProperties(
            content_type=message.content_type,
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            headers=message.headers,
            timestamp=int(time.time()),
            app_id="legal-aid-gateway",
        )
        try:
            self._channel.basic_publish(
                exchange=message.exchange,
                routing_key=message.routing_key,
                body=message.body,
                properties=properties,
                # A request must reach a queue; a status event may have no subscriber yet.
                mandatory=message.exchange != EVENTS_EXCHANGE,
            )
        except pika.exceptions.UnroutableError as exc:
            raise PublishRefused(f"unroutable: no queue bound for {message.routing_key}") from exc
        except pika.exceptions.NackError as exc:
            raise PublishRefused("the broker refused the message (nack)") from exc

    def sleep(self, seconds: float) -> None:
        """Wait while keeping the connection's heartbeats going."""
        if self._connection is None:
            time.sleep(seconds)
        else:
            self._connection.sleep(seconds)

    def close(self) -> None:
        """Close the connection if it is open; never raises."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except CONNECTION_ERRORS:
                pass
