"""The audit sequencer: links new audit records onto the hash chain and publishes checkpoints of it.

It runs in `lagw relay` (and alone as `lagw audit link`). Several may run: one holds the lease
`audit-sequencer` and links; the head row's lock keeps even two passes from linking the same record.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.service.lease import Lease
from gateway.service.messages import checkpoint_message
from gateway.service.ports import AuditChain, ChainHead, ChainHeadMismatch, Leases

log = logging.getLogger(__name__)
LEASE = "audit-sequencer"
# The longest linking waits for a relay draining a backlog: well inside the unlinked-age alarm (minutes).
DEFER_AT_MOST = timedelta(seconds=10)


@dataclass(frozen=True)
class SequencerPass:
    """What one pass did: records linked, and the checkpoint published (if one was due)."""

    linked: int
    checkpoint: ChainHead | None


class AuditSequencer:
    """Link every committed unlinked record, then publish a checkpoint when one is due.

    A checkpoint (`audit.checkpoint` on `legalaid.events`, and a log line) is due when the chain has grown
    since the last one and `checkpoint_every` has passed: a copy of the head that a writer of the store
    cannot reach, which `lagw audit verify --contains` checks the chain against.
    """

    def __init__(
        self,
        store: AuditChain,
        checkpoint_every: timedelta,
        leases: Leases | None = None,
        batch: int = 500,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        defer_at_most: timedelta = DEFER_AT_MOST,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._checkpoint_every = checkpoint_every
        self._lease = Lease(leases, LEASE)
        self._batch = batch
        self._now = now
        self._defer_at_most = defer_at_most.total_seconds()
        self._monotonic = monotonic  # the deferral's clock: a step of the wall clock does not stretch it

    def run_once(self) -> SequencerPass:
        """Link until nothing committed is left unlinked; then the checkpoint, if due."""
        linked = 0
        while True:
            count = self._store.link(self._batch)
            linked += count
            if count < self._batch:
                break
        return SequencerPass(linked, self._checkpoint_if_due())

    def run(self, stop: threading.Event, interval: float = 1.0, busy: Callable[[], bool] = lambda: False) -> None:
        """Until `stop` is set, a pass every `interval` seconds while this sequencer holds the lease.

        While `busy()` (the relay beside it draining a backlog), passes wait, at most `defer_at_most` since the
        last one: the drain has the store and the processor, and its records are linked after it.
        """
        reported = ""
        last_pass = self._monotonic()
        stop.wait(interval)  # the relay's first pass first: whether it drains a backlog is known after it
        try:
            while not stop.is_set():
                try:
                    deferring = busy() and self._monotonic() - last_pass < self._defer_at_most
                    if self._lease.hold(interval) and not deferring:
                        self.run_once()
                        last_pass = self._monotonic()
                    reported = ""
                except ChainHeadMismatch as exc:  # tampering: say so once, link nothing until it is resolved
                    if str(exc) != reported:
                        log.error("audit chain not linked: %s", exc)
                        reported = str(exc)
                except Exception:  # the store went away: keep trying
                    log.exception("audit sequencer pass failed; retrying")
                stop.wait(interval)
        finally:
            self._lease.release()

    def _checkpoint_if_due(self) -> ChainHead | None:
        head = self._store.head()
        now = self._now()
        if head.head_hash is None or head.count == head.checkpoint_seq:
            return None
        if head.checkpoint_at is not None and now - head.checkpoint_at < self._checkpoint_every:
            return None
        if not self._store.record_checkpoint(head, checkpoint_message(head.count, head.head_hash, now)):
            return None  # the head moved meanwhile: the next pass checkpoints it
        log.info(
            "audit checkpoint %d:%s",
            head.count,
            head.head_hash,
            extra={"audit_count": head.count, "audit_head": head.head_hash},
        )
        return head
