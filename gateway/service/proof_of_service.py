"""Proof of service (送达回证): the forwarding agency handed the centre's written decision to the applicant."""

from datetime import datetime

from gateway.domain.enums import Kind
from gateway.domain.lifecycle import Event
from gateway.domain.model import Agency
from gateway.errors import IllegalTransition, InvalidInput
from gateway.rules.deadlines import CLOCK_SKEW
from gateway.service.ports import Clock, StoredRequest
from gateway.service.request_status import HistoryStore, find_own_request
from gateway.service.transitions import Change, Transitions
from schemas.fields import china_iso


class ProofsOfService:
    """Records once that the applicant has the decision; a repeat answers the same and changes nothing.

    LAL 43 ¶1 has a refusal told to the applicant in writing; a detained applicant is reached only through the
    organ that forwarded the application (LAL 39), so that organ's acknowledgment is what the centre can show.
    """

    def __init__(self, store: HistoryStore, transitions: Transitions, clock: Clock) -> None:
        self._store = store
        self._transitions = transitions
        self._clock = clock

    def record(self, agency: Agency, request_id: str, served_at: datetime) -> StoredRequest:
        """Record the service; IllegalTransition before a decision, InvalidInput for an impossible date."""
        stored = find_own_request(self._store, request_id, agency)
        if stored.kind is not Kind.APPLICATION_TRANSFER:
            raise IllegalTransition(
                f"a {stored.kind.value} request has no decision: only an application is decided (LAL 43)"
            )
        if self._served(stored):
            return stored  # this decision's service is recorded; a decision made anew is served anew
        decision = self._store.latest_answers(request_id).get("decision")
        if decision is None:
            raise IllegalTransition("the application is not decided yet: there is no decision to serve (LAL 43)")
        self._check_date(served_at, datetime.fromisoformat(decision["decided_at"]))
        change = Change(actor=agency.code, detail={"served_at": china_iso(served_at)})
        return self._transitions.apply(request_id, Event.SERVED, change, already=self._served)

    def _served(self, stored: StoredRequest) -> bool:
        """Whether the latest decision's service is recorded (asked again at the write: two concurrent calls
        record it once)."""
        trail = [str(entry["event"]) for entry in self._store.audit_trail(stored.id)]
        decided = max((i for i, event in enumerate(trail) if event in ("granted", "declined")), default=-1)
        return Event.SERVED.value in trail[decided + 1 :]

    def _check_date(self, served_at: datetime, decided_at: datetime) -> None:
        if served_at < decided_at - CLOCK_SKEW:
            raise InvalidInput(
                "the decision is served before it was made; see errors",
                errors={"served_at": ["before the decision was made"]},
            )
        if served_at > self._clock.now() + CLOCK_SKEW:
            raise InvalidInput(
                "the decision is served in the future; see errors", errors={"served_at": ["in the future"]}
            )
