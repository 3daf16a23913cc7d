"""Publishing with publisher confirms and `mandatory`: a return means the broker has the message."""

import logging
import time
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from gateway.messaging.topology import declare_topology
from gateway.outbox import EVENTS_EXCHANGE
from gateway.ports import OutboxMessage, PublishRefused

log = logging.getLogger(__name__)
PERSISTENT_DELIVERY_MODE = int(pika.DeliveryMode.Persistent.value)  # the broker keeps the message on disk

# Errors after which the connection is gone and must be made anew.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    pika.exceptions.StreamLostError,
    ConnectionError,
    OSError,
)


def connection_parameters(url: str, blocked_timeout: float = 60.0) -> pika.URLParameters:
    """Parameters from an AMQP URL with sane timeouts for a long-running worker.

    `blocked_timeout`: a connection the broker blocks (memory or disk alarm) is dropped after that long,
    so a publish waiting for its confirm fails instead of hanging until the alarm clears.
    """
    params = pika.URLParameters(url)
    params.heartbeat = 30
    params.blocked_connection_timeout = blocked_timeout
    params.socket_timeout = 5
    params.connection_attempts = 1
    return params


class ConfirmedPublisher:
    """One blocking connection and channel in confirm mode; not thread-safe, one per worker."""

    def __init__(self, url: str, blocked_timeout: float = 15.0) -> None:
        self._params = connection_parameters(url, blocked_timeout)
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self.blocked_because: str | None = None  # the broker's resource alarm, while it blocks us

    @property
    def blocked(self) -> bool:
        """Whether the broker has blocked this connection (a memory or disk alarm): publishing would wait."""
        return self.blocked_because is not None

    def connect(self) -> None:
        """Open the connection, enable confirms and declare the topology."""
        self._connection = pika.BlockingConnection(self._params)
        self._connection.add_on_connection_blocked_callback(self._on_blocked)
        self._connection.add_on_connection_unblocked_callback(self._on_unblocked)
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

    def _on_blocked(self, _connection: object, frame: Any) -> None:
        self.blocked_because = str(getattr(frame.method, "reason", "") or "resource alarm")
        log.warning("the broker blocked the connection (%s): publishing paused", self.blocked_because)

    def _on_unblocked(self, _connection: object, _frame: object) -> None:
        self.blocked_because = None
        log.info("the broker unblocked the connection: publishing resumes")

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
