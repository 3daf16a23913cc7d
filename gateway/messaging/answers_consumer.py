"""`lagw answers`: applies the centres' answers from `legalaid.appointments`, each once, acked after the commit."""

import json
import logging
import threading
from typing import Any

import pika
from marshmallow import ValidationError
from opentelemetry.trace import SpanKind
from pika.adapters.blocking_connection import BlockingChannel

from gateway.domain.enums import AgencyType
from gateway.domain.model import Agency
from gateway.errors import GatewayError
from gateway.messaging.publisher import CONNECTION_ERRORS, connection_parameters
from gateway.messaging.relay import Backoff
from gateway.messaging.topology import APPOINTMENTS_QUEUE, DEAD_LETTER_EXCHANGE, declare_topology
from gateway.service.answers import CentreAnswers
from gateway.service.ports import AnswerAlreadyApplied
from gateway.store.agencies import SqlAgencyRegistry
from gateway.store.requests import SqlRequestStore
from gateway.tracing import TRACEPARENT, span_in
from schemas.answer_message import AnswerMessageSchema

log = logging.getLogger(__name__)
MAX_MESSAGE_ID = 60


def _traceparent(properties: pika.BasicProperties) -> str | None:
    """The centre's `traceparent` on the answer, if its system sent one (W3C Trace Context over AMQP)."""
    value = (properties.headers or {}).get(TRACEPARENT)
    return value if isinstance(value, str) and value.count("-") == 3 else None


class Poison(Exception):
    """A message that can never be applied: dead-lettered, with the reason logged.

    The reason names fields and codes, never a value the message carried (it may hold a name or an ID
    number): it goes to the log and to the dead letter's `x-lagw-reason` header.
    """


_UNKNOWN_FIELD = "Unknown field."


def faulty_fields(messages: Any, path: str = "") -> list[str]:
    """The fields a ValidationError names, as paths: declared names and list positions only, since an
    unknown key is the sender's own text."""
    if isinstance(messages, dict):
        found: list[str] = []
        for key, inner in messages.items():
            if isinstance(inner, list) and _UNKNOWN_FIELD in inner:
                found.append(f"{path}(an undeclared field)" if path else "(an undeclared field)")
            else:
                found.extend(faulty_fields(inner, f"{path}{key}."))
        return found
    return [path.rstrip(".") or "(the message)"]


class AnswersConsumer:
    """Consumes answers; a message is acknowledged only once its answer is committed (or was before)."""

    def __init__(
        self,
        amqp_url: str,
        answers: CentreAnswers,
        agencies: SqlAgencyRegistry,
        requests: SqlRequestStore,
        prefetch: int = 20,
    ) -> None:
        self._params = connection_parameters(amqp_url)
        self._answers = answers
        self._agencies = agencies
        self._requests = requests
        self._prefetch = prefetch
        self._backoff = Backoff(0.5, 30.0)

    def run(self, stop: threading.Event, backoff: Backoff | None = None) -> None:
        """Consume until `stop` is set, reconnecting with backoff."""
        backoff = backoff or Backoff()
        failures = 0
        while not stop.is_set():
            try:
                self._consume(stop)
                failures = 0
            except CONNECTION_ERRORS as exc:
                failures += 1
                log.warning("answers consumer lost the broker (%s); retrying", type(exc).__name__)
                stop.wait(backoff.delay(failures))

    def _consume(self, stop: threading.Event) -> None:
        connection = pika.BlockingConnection(self._params)
        try:
            channel = connection.channel()
            declare_topology(channel)
            channel.basic_qos(prefetch_count=self._prefetch)
            channel.confirm_delivery()  # a parked message is in legalaid.dead before its original is acked
            for method, properties, body in channel.consume(APPOINTMENTS_QUEUE, inactivity_timeout=0.5):
                if stop.is_set():
                    break
                if method is not None:
                    with span_in(_traceparent(properties), f"{APPOINTMENTS_QUEUE} receive", SpanKind.CONSUMER):
                        self._handle(connection, channel, method.delivery_tag, properties, body, stop)
            channel.cancel()
        finally:
            if connection.is_open:
                connection.close()

    def _handle(
        self,
        connection: pika.BlockingConnection,
        channel: BlockingChannel,
        tag: int,
        properties: pika.BasicProperties,
        body: bytes,
        stop: threading.Event,
    ) -> None:
        failures = 0
        while True:
            try:
                self.apply(properties.message_id, body)
            except Poison as exc:
                log.error("answer %s dead-lettered: %s", properties.message_id, exc)
                self._park(channel, tag, properties, body, str(exc))
                return
            except Exception:
                # Ours (the store is away): keep the message and try again, so an outage spends none of
                # the queue's delivery limit; on stop it goes back to the queue.
                failures += 1
                log.exception("answer %s could not be applied now; retrying", properties.message_id)
                if stop.is_set():
                    channel.basic_nack(tag, requeue=True)
                    return
                connection.sleep(self._backoff.delay(failures))
                continue
            channel.basic_ack(tag)
            return

    @staticmethod
    def _park(channel: BlockingChannel, tag: int, properties: pika.BasicProperties, body: bytes, reason: str) -> None:
        """Put the message in legalaid.dead with the reason in `x-lagw-reason`, confirmed, then let it go."""
        headers = {**(properties.headers or {}), "x-lagw-reason": reason[:500], "x-lagw-queue": APPOINTMENTS_QUEUE}
        parked = pika.BasicProperties(
            message_id=properties.message_id,
            content_type=properties.content_type,
            headers=headers,
            delivery_mode=pika.DeliveryMode.Persistent,
        )
        channel.basic_publish(DEAD_LETTER_EXCHANGE, APPOINTMENTS_QUEUE, body, parked)  # waits for the confirm
        channel.basic_ack(tag)

    def apply(self, message_id: str | None, body: bytes) -> None:
        """Apply one answer; Poison if it can never apply. A message_id seen before changes nothing."""
        if not message_id or len(message_id) > MAX_MESSAGE_ID:
            raise Poison(f"a message_id of 1 to {MAX_MESSAGE_ID} characters is needed to apply the answer exactly once")
        try:
            message: dict[str, Any] = AnswerMessageSchema().load(json.loads(body))
        except ValidationError as exc:
            fields = ", ".join(sorted(set(faulty_fields(exc.messages))))
            raise Poison(f"not a legalaid.answer/1 message: invalid {fields}") from exc
        except ValueError as exc:  # not JSON, not UTF-8: the decoder's message quotes no content
            raise Poison(f"not a legalaid.answer/1 message: not JSON text ({type(exc).__name__})") from exc
        centre = self._agencies.by_code(message["centre_code"])
        if centre is None or centre.type != AgencyType.LEGAL_AID_CENTRE:
            raise Poison("its centre_code names no registered legal aid centre")
        key = f"amqp:{centre.code}:{message_id}"  # scoped: no other centre or channel can take this key
        try:
            self._apply_answer(centre, message, key)
        except AnswerAlreadyApplied:
            return
        except GatewayError as exc:
            if exc.status >= 500:
                raise
            # The code, and for a refused body its fields: the detail may quote the message's request_id.
            fields = f" ({', '.join(sorted(exc.errors))})" if exc.errors else ""
            raise Poison(f"{exc.code}{fields}") from exc

    def _apply_answer(self, centre: Agency, message: dict[str, Any], key: str) -> None:
        """The use case for the message's type."""
        request_id, body = message["request_id"], message["body"]
        if message["type"] == "decision":
            self._answers.decide(centre, request_id, body, key)
        elif message["type"] == "termination":
            self._answers.terminate(centre, request_id, body, key)
        elif message["type"] == "objection":
            self._answers.record_objection(centre, request_id, body, key)
        elif message["type"] == "materials_request":
            self._answers.request_materials(centre, request_id, body, key)
        else:
            self._answers.appoint(centre, request_id, body, key)
