"""Publishing with publisher confirms and `mandatory`: a return means the broker has the message."""

import logging
import time
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from gateway.messaging.topology import declare_topology
from gateway.service.messages import EVENTS_EXCHANGE
from gateway.service.ports import Confirmations, OutboxMessage, PublishRefused
from gateway.tracing import TRACEPARENT, producer_traceparent

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


class ConfirmsOverdue(ConnectionError):
    """The broker confirmed nothing more for too long: the channel is suspect, the rest stay unconfirmed."""


class ConfirmedPublisher:
    """One blocking connection and channel in confirm mode; not thread-safe, one per worker.

    A pass's messages are all published before their confirms are awaited, together: the broker can write
    them to disk together, and the pass costs one round trip instead of one per message.
    """

    def __init__(self, url: str, blocked_timeout: float = 15.0, confirm_timeout: float = 30.0) -> None:
        self._params = connection_parameters(url, blocked_timeout)
        self._confirm_timeout = confirm_timeout
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self.blocked_because: str | None = None  # the broker's resource alarm, while it blocks us
        self._published = 0  # the channel's last delivery tag
        self._passes = 0  # the last pass handed to `send`
        self._awaiting: dict[int, tuple[int, str]] = {}  # delivery tag -> (pass, message id), not yet confirmed
        self._unconfirmed: dict[int, int] = {}  # pass -> how many of its messages await their confirm
        self._said: dict[int, dict[str, str | None]] = {}  # pass -> message id -> None if confirmed, else why not
        self._broken: dict[int, BaseException] = {}  # pass -> the error that cut its sending short
        self._returned: dict[str, str] = {}  # message id -> why the broker returned it (unroutable)

    @property
    def blocked(self) -> bool:
        """Whether the broker has blocked this connection (a memory or disk alarm): publishing would wait."""
        return self.blocked_because is not None

    def connect(self) -> None:
        """Open the connection, declare the topology and enable confirms."""
        self._connection = pika.BlockingConnection(self._params)
        self._connection.add_on_connection_blocked_callback(self._on_blocked)
        self._connection.add_on_connection_unblocked_callback(self._on_unblocked)
        channel = self._connection.channel()
        declare_topology(channel)
        self._select_confirms(channel)
        self._channel = channel

    def _select_confirms(self, channel: BlockingChannel) -> None:
        # BlockingChannel.confirm_delivery() makes every basic_publish wait for its own confirm. pika's
        # asynchronous channel under it reports each ack, nack and return as it arrives, so confirms are
        # enabled there and a pass keeps all of its confirms outstanding together.
        assert self._connection is not None
        connection = self._connection
        selected: list[object] = []

        def on_selected(frame: object) -> None:
            selected.append(frame)
            connection.add_callback_threadsafe(_all_confirmed)  # ends the wait below at once

        impl = channel._impl
        impl.add_on_return_callback(self._on_returned)
        impl.confirm_delivery(ack_nack_callback=self._on_confirm, callback=on_selected)
        deadline = time.monotonic() + self._confirm_timeout
        while not selected:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConfirmsOverdue("the broker did not enable publisher confirms")
            connection.process_data_events(time_limit=left)
        self._published = 0

    def publish(self, message: OutboxMessage) -> None:
        """Publish one persistent message and wait for the broker's confirm."""
        said = self.publish_all([message])
        if said.interrupted is not None:
            raise said.interrupted
        if said.refused:
            raise PublishRefused(said.refused[message.message_id])

    def publish_all(self, messages: list[OutboxMessage]) -> Confirmations:
        """Publish persistent messages, then wait for all their confirms together.

        A message the broker nacks or returns (no queue bound) is refused; if the link fails or confirms stop
        coming, the error is kept in the result and the messages not yet confirmed are neither.
        """
        return self.confirmations(self.send(messages))

    def send(self, messages: list[OutboxMessage]) -> int:
        """Publish a pass's messages without waiting for their confirms; the pass's number, for `confirmations`.

        Several passes may be outstanding: a relay claims and sends its next pass while the broker writes this one.
        """
        self._passes += 1
        ticket = self._passes
        self._said[ticket] = {}
        self._unconfirmed[ticket] = 0
        try:
            for message in messages:
                self._send(message, ticket)
            if self._connection is not None:
                self._connection.process_data_events(time_limit=0)  # the frames go to the socket now
        except BaseException as exc:  # the broker went away: the pass's confirmations say so
            self._broken[ticket] = exc
        return ticket

    def confirmations(self, ticket: int) -> Confirmations:
        """Wait for the confirms of the pass `send` numbered `ticket`: what the broker confirmed and refused, and
        the error, if the link failed or confirms stopped coming, that left the rest unconfirmed."""
        said = Confirmations()
        try:
            broken = self._broken.pop(ticket, None)
            if broken is not None:
                raise broken
            self._await_confirms(ticket)
        except BaseException as exc:  # the broker went away: keep what it confirmed
            said.interrupted = exc
        for message_id, refusal in self._said.pop(ticket, {}).items():
            if refusal is None:
                said.confirmed.append(message_id)
            else:
                said.refused[message_id] = refusal
        self._unconfirmed.pop(ticket, None)
        for tag in [tag for tag, (of, _) in self._awaiting.items() if of == ticket]:
            del self._awaiting[tag]  # unconfirmed for good: its row stays pending
        return said

    def _send(self, message: OutboxMessage, ticket: int) -> None:
        if self._channel is None:
            raise pika.exceptions.AMQPConnectionError("publisher is not connected")
        headers = message.headers
        traceparent = headers.get(TRACEPARENT) if headers else None
        if traceparent:  # the notice's trace goes on: the publish is a span of its own, the consumer's parent
            headers = {**headers, TRACEPARENT: producer_traceparent(traceparent, f"publish {message.exchange}")}
        properties = pika.BasicProperties(
            content_type=message.content_type,
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            headers=headers,
            timestamp=int(time.time()),
            app_id="legal-aid-gateway",
        )
        self._published += 1
        self._awaiting[self._published] = (ticket, message.message_id)
        self._unconfirmed[ticket] += 1
        # On the asynchronous channel the frames are only queued (BlockingChannel.basic_publish would also
        # poll the socket, once per message); the wait for the pass's confirms sends them all.
        self._channel._impl.basic_publish(
            exchange=message.exchange,
            routing_key=message.routing_key,
            body=message.body,
            properties=properties,
            # A request must reach a queue; a status event may have no subscriber yet.
            mandatory=message.exchange != EVENTS_EXCHANGE,
        )

    def _await_confirms(self, ticket: int) -> None:
        assert self._connection is not None
        deadline = time.monotonic() + self._confirm_timeout
        while self._unconfirmed.get(ticket):
            left = deadline - time.monotonic()
            if left <= 0:
                unconfirmed = self._unconfirmed[ticket]
                raise ConfirmsOverdue(f"{unconfirmed} message(s) unconfirmed after {self._confirm_timeout}s")
            # Returns as soon as the pass's last confirm is in: _on_confirm then queues a callback, which ends it.
            self._connection.process_data_events(time_limit=left)

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        tags = (
            [tag for tag in self._awaiting if tag <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        )
        completed = False
        for tag in tags:
            awaited = self._awaiting.pop(tag, None)
            if awaited is None:
                continue
            ticket, message_id = awaited
            if isinstance(method, pika.spec.Basic.Nack):
                self._said[ticket][message_id] = "the broker refused the message (nack)"
            else:  # a returned message is acked after its return
                self._said[ticket][message_id] = self._returned.pop(message_id, None)
            self._unconfirmed[ticket] -= 1
            completed = completed or not self._unconfirmed[ticket]
        if completed and self._connection is not None:
            # process_data_events(time_limit) waits out its time unless the connection has an event to hand
            # over; a callback is one, so the wait goes on the moment a pass's last confirm arrives.
            self._connection.add_callback_threadsafe(_all_confirmed)

    def _on_returned(self, _channel: object, method: Any, properties: pika.BasicProperties, _body: bytes) -> None:
        if properties.message_id is not None:
            self._returned[properties.message_id] = f"unroutable: no queue bound for {method.routing_key}"

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


def _all_confirmed() -> None:
    """Nothing to do: its arrival ends a wait for the broker (a pass's confirms, or confirm mode itself)."""
