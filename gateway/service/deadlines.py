"""`lagw deadlines`: warns the centre on `legalaid.events` before a legal deadline passes, and when it has."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from gateway.service.lease import Lease
from gateway.service.messages import event_message
from gateway.service.ports import (
    AT_RISK,
    MISSED,
    Clock,
    DeadlineStore,
    DeadlineWarned,
    Leases,
    RequestStore,
    StateMoved,
    StoredRequest,
)
from schemas.fields import china_iso

log = logging.getLogger(__name__)
LEASE = "deadlines"


@dataclass(frozen=True)
class WatchResult:
    """How many warnings one pass published."""

    at_risk: int
    missed: int
    deemed_withdrawn: int = 0  # applications whose missing materials did not come in time (LAL 43 ¶2)


class DeadlineWatcher:
    """Publishes `deadline.at_risk` (`lead` before the due time) and `deadline.missed`, once each per deadline.

    Several watchers may run: one holds the lease `deadlines` and makes the passes, another takes over when it
    stops renewing it; and each warning is a compare-and-set in the store, so even two passes publish it once.
    """

    def __init__(
        self,
        store: DeadlineStore,
        units: RequestStore,
        clock: Clock,
        lead: timedelta,
        leases: Leases | None = None,
        sweeps: tuple[Callable[[], int], ...] = (),
    ) -> None:
        self._store = store
        self._units = units
        self._sweeps = sweeps  # other clocks of the law a pass applies, e.g. a deemed withdrawal
        self._clock = clock
        self._lead = lead
        self._lease = Lease(leases, LEASE)
        self.holder = self._lease.holder

    def run_once(self) -> WatchResult:
        """One pass: missed deadlines first, then those at risk, then the sweeps."""
        now = self._clock.now()
        missed = sum(self._warn(request, MISSED) for request in self._store.unwarned(MISSED, now))
        at_risk = sum(self._warn(request, AT_RISK) for request in self._store.unwarned(AT_RISK, now + self._lead))
        swept = sum(sweep() for sweep in self._sweeps)
        return WatchResult(at_risk=at_risk, missed=missed, deemed_withdrawn=swept)

    def run(self, stop: threading.Event, interval: float = 60.0) -> None:
        """Until `stop` is set, a pass every `interval` seconds while this watcher holds the lease."""
        try:
            while not stop.is_set():
                try:
                    if self.holds_lease(interval):
                        result = self.run_once()
                        if result.at_risk or result.missed or result.deemed_withdrawn:
                            log.info(
                                "deadline warnings: %d at risk, %d missed; %d deemed withdrawn",
                                result.at_risk,
                                result.missed,
                                result.deemed_withdrawn,
                            )
                except Exception:  # the store went away: keep watching
                    log.exception("deadline pass failed; retrying")
                stop.wait(interval)
        finally:
            self._lease.release()

    def holds_lease(self, interval: float) -> bool:
        """Take or renew the lease for a little over two passes (always True without leases)."""
        return self._lease.hold(interval)

    def report(self) -> list[tuple[StoredRequest, timedelta]]:
        """Open requests by time left (negative: late)."""
        now = self._clock.now()
        return [(request, request.due_at - now) for request in self._store.open_requests()]

    def _warn(self, request: StoredRequest, which: str) -> bool:
        now = self._clock.now()
        # One id per deadline: a new deadline (e.g. after a grant, LAL 43) gets its own warnings.
        message_id = f"{request.id}.deadline.{which}.{request.due_at.strftime('%Y%m%dT%H%M%S')}"
        extra = {
            "due_at": china_iso(request.due_at),
            "obligation": request.deadline_obligation,
            "basis": request.deadline_basis,
            "state": request.state.value,
        }
        message = event_message(message_id, f"deadline.{which}", request, now, extra)
        with self._units.unit() as uow:
            uow.record(DeadlineWarned(request, which, now, message))
            try:
                uow.commit()
            except StateMoved:  # another watcher warned first, or the request was answered meanwhile
                return False
        return True
