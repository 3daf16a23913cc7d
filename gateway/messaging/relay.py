"""The outbox relay: moves stored messages to RabbitMQ, surviving broker and store outages."""

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy.exc

from gateway.messaging.publisher import CONNECTION_ERRORS, ConfirmedPublisher
from gateway.service.ports import Confirmations
from gateway.store.outbox import BatchResult, Claim, SqlOutbox
from gateway.store.outbox_bell import Doorbell, PollingBell

log = logging.getLogger(__name__)

# Failures after which the relay reconnects: the broker or the store went away.
RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (*CONNECTION_ERRORS, sqlalchemy.exc.OperationalError)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter."""

    initial: float = 0.5
    maximum: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` consecutive failures."""
        ceiling = min(self.maximum, self.initial * (2 ** min(failures, 16)))
        return random.uniform(self.initial / 2, ceiling)


class Relay:
    """Publishes outbox rows with confirms, a pass at a time; marks them sent only after the confirm.

    Between passes it waits for the doorbell (PostgreSQL notifies it when rows are added; on SQLite it
    polls), at most `idle_interval` seconds: rows the broker refused come due again without a bell.
    """

    def __init__(
        self,
        outbox: SqlOutbox,
        publisher_factory: Callable[[], ConfirmedPublisher],
        *,
        batch_size: int = 500,
        idle_interval: float = 1.0,
        backoff: Backoff | None = None,
        doorbell: Doorbell | None = None,
    ) -> None:
        self._outbox = outbox
        self._new_publisher = publisher_factory
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._doorbell = doorbell or PollingBell()
        self._backoff = backoff or Backoff()
        self._failures = 0
        self._draining = False

    def draining(self) -> bool:
        """Whether the last pass found a full batch: a backlog is being drained (the audit sequencer waits)."""
        return self._draining

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set, reconnecting with backoff whenever the broker or store fails."""
        self._failures = 0
        while not stop.is_set():
            publisher = self._new_publisher()
            try:
                publisher.connect()
                log.info("relay connected to the broker")
                self._pump(publisher, stop)
            except RETRYABLE_ERRORS as exc:
                # Counted until a batch goes through: connecting alone proves little when the broker
                # accepts the connection but blocks it (a resource alarm), so the waits keep growing.
                self._failures += 1
                failures = self._failures
                delay = self._backoff.delay(failures)
                log.warning("relay lost its connection (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
                stop.wait(delay)
            except Exception:
                # Anything else must not end the relay for good: notices would wait for a restart.
                self._failures += 1
                delay = self._backoff.delay(self._failures)
                log.exception("relay failed unexpectedly; retrying in %.1fs", delay)
                stop.wait(delay)
            finally:
                publisher.close()
        self._doorbell.close()

    def drain(self) -> int:
        """Publish everything pending once, then return the number sent (for `lagw relay --once`)."""
        publisher = self._new_publisher()
        publisher.connect()
        sent = 0
        try:
            while True:
                result = self._outbox.relay_pass(self._batch_size, publisher.publish_all)
                sent += result.sent
                if result.claimed < self._batch_size:
                    return sent
        finally:
            publisher.close()

    def _pump(self, publisher: ConfirmedPublisher, stop: threading.Event) -> None:
        """Passes, two in flight and a third being recorded: the next is claimed and sent while the broker writes
        the last one and the store marks the one before.

        The store's work (claiming, marking) and the broker's (writing, confirming) overlap instead of taking
        turns, and the marks, on a thread of their own, overlap the publishing. Order holds: a pass claims none
        of the rows in flight or being marked, and no row whose request has an earlier one unsent, in flight or
        not, so a request's later message waits for its earlier one's confirm and mark.
        """
        self._doorbell.listen()  # before the first pass: what is committed during it rings the bell
        in_flight: tuple[Claim, int] | None = None
        marks = _Marks(self._recorded)
        try:
            while not stop.is_set():
                if publisher.blocked:
                    # A resource alarm: claim nothing (a batch would wait on confirms that cannot come);
                    # keep the connection serviced so the unblock arrives, and stay stoppable.
                    if in_flight is not None:
                        blocked_pass, in_flight = in_flight, None
                        self._settle(publisher, marks, *blocked_pass)
                    publisher.sleep(self._idle_interval)
                    continue
                besides = [*(in_flight[0].ids if in_flight else ()), *marks.ids]
                claim = self._outbox.claim(self._batch_size, besides=besides)
                self._draining = len(claim.rows) >= self._batch_size
                sending = (claim, self._send(publisher, claim)) if claim.rows else None
                settled, in_flight = in_flight, sending
                if settled is not None:
                    self._settle(publisher, marks, *settled)  # its marks may make due a request's later message
                elif in_flight is None:
                    if marks.wait():
                        continue  # a pass was just marked: its requests' later messages are due now, claim again
                    self._doorbell.wait(self._idle_interval, stop)
                    publisher.sleep(0)  # heartbeats and broker callbacks, between passes
            marks.wait()
        finally:
            self._draining = False  # nothing is drained while it reconnects or stops
            if in_flight is not None:  # the link or the store failed, or a stop: keep what was confirmed
                self._settle_quietly(publisher, *in_flight)
            marks.close()

    @staticmethod
    def _send(publisher: ConfirmedPublisher, claim: Claim) -> int:
        try:
            return publisher.send(claim.messages)
        except BaseException:  # nothing went out: the rows stay pending, their locks let go
            claim.release()
            raise

    def _settle(self, publisher: ConfirmedPublisher, marks: "_Marks", claim: Claim, ticket: int) -> None:
        """Wait for a pass's confirms and hand them to be recorded; the link's failure propagates once they are."""
        said = publisher.confirmations(ticket)
        marks.record(claim, said)
        if said.interrupted is not None:
            marks.wait()
            raise said.interrupted

    def _recorded(self, result: BatchResult) -> None:
        if result.sent:
            self._failures = 0
        if result.refused:
            log.error("broker refused %d message(s); they will be retried later", result.refused)

    def _settle_quietly(self, publisher: ConfirmedPublisher, claim: Claim, ticket: int) -> None:
        try:
            claim.record(publisher.confirmations(ticket))
        except Exception:  # the store is gone too: the rows stay pending and go out again (same message id)
            claim.release()
            log.warning("relay could not record a pass in flight; its messages will be sent again")


class _Marks:
    """Records the relay's passes on a thread of its own, one at a time and in order, so the store writes one
    pass's marks while the relay publishes the next; a failure to record comes back at the next hand-over."""

    def __init__(self, recorded: Callable[[BatchResult], None]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-marks")
        self._recorded = recorded
        self._pending: Future[BatchResult] | None = None
        self.ids: list[int] = []  # the rows being recorded: no claim takes them again meanwhile (SQLite)

    def record(self, claim: Claim, said: Confirmations) -> None:
        """Record `claim` once the pass before it is recorded. If that one failed, `claim` is recorded here, as far
        as the store lets it (else its rows stay pending and go out again under the same ids), and the earlier
        failure is raised."""
        try:
            self.wait()
        except BaseException:
            try:
                self._recorded(claim.record(said))
            except Exception:
                log.warning("relay could not record a pass; its messages will be sent again", exc_info=True)
            raise
        self.ids = claim.ids
        self._pending = self._pool.submit(claim.record, said)

    def wait(self) -> bool:
        """Until the pass handed over last is recorded (its failure, if it failed); whether there was one."""
        pending, self._pending = self._pending, None
        try:
            if pending is None:
                return False
            self._recorded(pending.result())
            return True
        finally:
            self.ids = []

    def close(self) -> None:
        """Wait for the last pass's marks (a failure is logged: its rows stay pending), then end the thread."""
        try:
            self.wait()
        except Exception:
            log.warning("relay could not record a pass; its messages will be sent again", exc_info=True)
        self._pool.shutdown(wait=True)
