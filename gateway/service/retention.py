"""Retention of original messages: purge those past the retention period unless a legal hold keeps them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.service.ports import Clock, HoldOutcome, LegalHold, RetentionStore

PURGE_BATCH = 500  # requests per transaction, so the audit chain's lock is held briefly


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run purged (or would purge, on a dry run) and what legal holds kept."""

    cutoff: datetime
    purged: int
    held: int
    dry_run: bool


class Retention:
    """The retention policy on original messages, and the legal holds that suspend it for one request."""

    def __init__(self, store: RetentionStore, clock: Clock, days: int) -> None:
        if days < 1:
            raise ValueError("the retention period must be at least one day")
        self._store = store
        self._clock = clock
        self.days = days

    def run(self, dry_run: bool = False) -> RetentionResult:
        """Purge the original messages received more than `days` ago and not held; a dry run only counts."""
        now = self._clock.now()
        cutoff = now - timedelta(days=self.days)
        due = self._store.due(cutoff)
        purged = len(due)
        if not dry_run:
            batches = (due[i : i + PURGE_BATCH] for i in range(0, len(due), PURGE_BATCH))
            purged = sum(self._store.purge(batch, cutoff, now, self.days) for batch in batches)
        return RetentionResult(cutoff=cutoff, purged=purged, held=self._store.held_back(cutoff), dry_run=dry_run)

    def set_hold(self, request_id: str, reason: str, actor: str) -> HoldOutcome:
        """Keep the request's original message past the retention period, for the reason given."""
        if not reason.strip():
            raise ValueError("a legal hold needs a reason")
        return self._store.set_hold(request_id, reason.strip(), actor, self._clock.now())

    def clear_hold(self, request_id: str, actor: str) -> HoldOutcome:
        """Let the retention policy apply to the request's original message again."""
        return self._store.clear_hold(request_id, actor, self._clock.now())

    def hold(self, request_id: str) -> LegalHold | None:
        """The request's legal hold, if any."""
        return self._store.hold(request_id)
