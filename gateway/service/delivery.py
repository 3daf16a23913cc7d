"""`lagw deliver`: sends the notices back to the agencies, with backoff, a cap, then parking."""

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from opentelemetry.trace import SpanKind

from gateway.config import Settings
from gateway.domain.lifecycle import Event
from gateway.errors import IllegalTransition
from gateway.service.ports import (
    DELIVERED,
    FAILED,
    Attempt,
    CallbackDirectory,
    Clock,
    Delivery,
    DeliveryQueue,
    Notifier,
)
from gateway.service.transitions import Change, Transitions
from gateway.tracing import span_in

log = logging.getLogger(__name__)
ACTOR = "deliver"
# Events whose delivery means the agency now knows its lawyer (LAL 36: "assign and inform").
INFORMING_EVENTS = frozenset({Event.ASSIGNED.value, Event.REPLACED.value})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, and how many attempts before a notice is parked."""

    first: timedelta = timedelta(seconds=10)
    maximum: timedelta = timedelta(hours=1)
    max_attempts: int = 12  # 10 s doubling to the hour: about 3 hours of trying before parking

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        """The policy `LAGW_DELIVERY_*` configures."""
        return cls(
            timedelta(seconds=settings.delivery_first_retry_seconds),
            timedelta(seconds=settings.delivery_max_retry_seconds),
            settings.delivery_max_attempts,
        )

    def retry_at(self, now: datetime, attempts: int) -> datetime | None:
        """When to try again after `attempts` failures, or None: park it."""
        if attempts >= self.max_attempts:
            return None
        ceiling: timedelta = min(self.maximum, self.first * 2 ** (attempts - 1))
        return now + ceiling * random.uniform(0.5, 1.0)


class Deliverer:
    """Takes due notices one by one; each attempt is recorded, success moves the request to informed."""

    def __init__(
        self,
        deliveries: DeliveryQueue,
        agencies: CallbackDirectory,
        transitions: Transitions,
        notifier: Notifier,
        clock: Clock,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._deliveries = deliveries
        self._agencies = agencies
        self._transitions = transitions
        self._notifier = notifier
        self._clock = clock
        self._policy = policy or RetryPolicy()

    def run_once(self) -> int:
        """Send every notice that is due now; how many were tried."""
        tried = 0
        while self._deliveries.process_next(self._send, self._retry_at):
            tried += 1
        return tried

    def run(self, stop: threading.Event, idle_interval: float = 0.5) -> None:
        """Until `stop` is set."""
        while not stop.is_set():
            try:
                if not self.run_once():
                    stop.wait(idle_interval)
            except Exception:  # the store went away: keep the worker alive and try again
                log.exception("delivery pass failed; retrying")
                stop.wait(5)

    def _retry_at(self, attempts: int) -> datetime | None:
        return self._policy.retry_at(self._clock.now(), attempts)

    def _send(self, delivery: Delivery) -> Attempt:
        try:
            callback = self._agencies.callback_of(delivery.agency_code)
            agency = self._agencies.by_code(delivery.agency_code)
            if callback is None or agency is None:
                return Attempt(self._clock.now(), FAILED, error="the agency has no callback any more")
            with span_in(delivery.traceparent, f"notify {delivery.event}", SpanKind.CLIENT):  # the notice's trace
                attempt = self._notifier.send(callback, agency.type, delivery)
        except Exception as exc:  # one notice that cannot be sent must not hold up the others
            log.exception("notice %s could not be sent", delivery.idempotency_key)
            return Attempt(self._clock.now(), FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        log.info(
            "notice %s to %s: %s %s",
            delivery.idempotency_key,
            delivery.agency_code,
            attempt.outcome,
            attempt.http_status or attempt.fault_code or attempt.error or "",
        )
        if attempt.outcome == DELIVERED and delivery.event in INFORMING_EVENTS:
            self._mark_informed(delivery)
        return attempt

    def _mark_informed(self, delivery: Delivery) -> None:
        newest = self._deliveries.newest_informing(delivery.request_id, INFORMING_EVENTS)
        if newest != delivery.id:
            return  # a replacement was ordered meanwhile: the agency is informed when that one arrives
        try:
            self._transitions.apply(
                delivery.request_id, Event.INFORMED, Change(actor=ACTOR, detail={"notice": delivery.idempotency_key})
            )
        except IllegalTransition as exc:  # withdrawn or replaced meanwhile: the notice still went out
            log.info("request %s not marked informed: %s", delivery.request_id, exc)
