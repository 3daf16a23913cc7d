"""Fakes behind the ports, for unit tests of the use cases."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.domain.documents import DocumentKind
from gateway.domain.enums import AgencyType, Kind, RequestState, Stage
from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.domain.model import Agency, Person, PersonMatch
from gateway.service.ports import (
    AT_RISK,
    DELIVERED,
    MISSED,
    Accepted,
    AnswerAlreadyApplied,
    Attempt,
    Callback,
    DeadlineWarned,
    Delivery,
    HoldOutcome,
    LegalHold,
    NewAnswer,
    NewDelivery,
    OutboxMessage,
    RawPayload,
    Recorded,
    ReferenceTaken,
    StateChange,
    StateMoved,
    StoredRequest,
)


@dataclass
class FixedClock:
    """A clock the test sets."""

    current: datetime

    def now(self) -> datetime:
        return self.current


@dataclass
class ShiftedClock:
    """A clock that runs, from the moment the test chose (answers dated after it are after the receipt)."""

    start: datetime
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.start + (datetime.now(UTC) - self.started)


class FakeUnitOfWork:
    """The UnitOfWork port on an InMemoryStore: reads see the store, recorded events land at commit."""

    def __init__(self, store: "InMemoryStore") -> None:
        self._store = store
        self.events: list[Recorded] = []
        self._numbers: dict[tuple[str, DocumentKind, int], int] = {}

    def __enter__(self) -> "FakeUnitOfWork":
        self.events = []
        self._numbers = {}
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.events = []  # not committed: dropped

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        return self._store.find_by_reference(agency_code, reference, kind)

    def get(self, request_id: str) -> StoredRequest | None:
        return self._store.get(request_id)

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        return self._store.same_person(person, agency_code, stage)

    def record(self, event: Recorded) -> None:
        self.events.append(event)

    def reserve_document_number(self, centre_code: str, kind: DocumentKind, year: int) -> int:
        """The next number, taken for good only if the unit commits (as a transaction's counter row)."""
        key = (centre_code, kind, year)
        self._numbers[key] = self._numbers.get(key, self._store.document_numbers.get(key, 0)) + 1
        return self._numbers[key]

    def commit(self) -> None:
        """As the store's: every event's rows or none. A concurrent writer the test set up commits first."""
        store = self._store
        for event in self.events:
            if isinstance(event, StateChange) and event.request_id in store.moved_by_another:
                state = store.moved_by_another.pop(event.request_id)
                moved = store.stored[event.request_id]
                store.stored[event.request_id] = replace(moved, state=state, version=moved.version + 1)
        snapshot = store._snapshot()
        try:
            for event in self.events:
                if isinstance(event, Accepted):
                    store._accept(event)
                elif isinstance(event, DeadlineWarned):
                    store._warn(event)
                else:
                    store._apply(event)
        except BaseException:
            store._restore(snapshot)
            raise
        finally:
            self.events = []
        store.document_numbers.update(self._numbers)
        store.transactions += 1


@dataclass
class InMemoryStore:
    """The RequestStore port in memory."""

    stored: dict[str, StoredRequest] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    raw: dict[str, RawPayload] = field(default_factory=dict)
    transactions: int = 0  # committed
    canonical: dict[str, str] = field(default_factory=dict)  # request id -> the canonical JSON on the bus
    document_numbers: dict[tuple[str, DocumentKind, int], int] = field(default_factory=dict)  # committed counters
    changes: list[StateChange] = field(default_factory=list)  # every transition written, in order
    answers: dict[str, tuple[str, NewAnswer]] = field(default_factory=dict)  # message_id -> (request, answer)
    deliveries: list[NewDelivery] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)  # every request accepted, in order
    warned: dict[tuple[str, str, datetime], datetime] = field(default_factory=dict)  # (id, which, due_at) -> at
    warnings: list[DeadlineWarned] = field(default_factory=list)
    # request id -> the state a concurrent writer moves it to just before the next commit that changes it
    moved_by_another: dict[str, RequestState] = field(default_factory=dict)

    def unit(self) -> "FakeUnitOfWork":
        """A unit of work on this store: its events change the store only at commit, all or nothing."""
        return FakeUnitOfWork(self)

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        return next(
            (s for s in self.stored.values() if (s.agency_code, s.reference, s.kind) == (agency_code, reference, kind)),
            None,
        )

    def get(self, request_id: str) -> StoredRequest | None:
        return self.stored.get(request_id)

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        return []

    def _accept(self, event: Accepted) -> None:
        request, message = event.request, event.message
        if self.find_by_reference(request.source.agency_code, request.source.reference, request.kind):
            raise ReferenceTaken(request.source.reference)
        self.stored[request.id] = StoredRequest(
            id=request.id,
            kind=request.kind,
            agency_code=request.source.agency_code,
            reference=request.source.reference,
            case_number=request.case.number,
            state=request.state,
            digest=event.digest,
            received_at=request.source.received_at,
            due_at=request.deadline.due_at,
            deadline_obligation=request.deadline.obligation,
            deadline_basis=request.deadline.basis,
            centre_code=request.routing.centre_code,
            routing_key=request.routing.routing_key,
            updated_at=request.source.received_at,
            http_request_id=event.raw.request_id,
            traceparent=event.traceparent,
        )
        self.outbox.append(message)
        self.raw[request.id] = event.raw
        self.canonical[request.id] = message.body.decode("utf-8")
        self.accepted.append(event)

    def _apply(self, change: StateChange) -> None:
        """As the store's: a compare-and-set on the state, and everything the change carries."""
        stored = self.stored.get(change.request_id)
        if stored is None or stored.state is not change.from_state:
            raise StateMoved(change.request_id)
        if change.from_version is not None and stored.version != change.from_version:
            raise StateMoved(change.request_id)
        answer = change.answer
        if answer is not None and answer.message_id is not None and answer.message_id in self.answers:
            raise AnswerAlreadyApplied(answer.message_id)
        updated = replace(stored, state=change.to_state, updated_at=change.at, version=stored.version + 1)
        if change.deadline is not None:
            due_at, obligation, basis = change.deadline
            updated = replace(updated, due_at=due_at, deadline_obligation=obligation, deadline_basis=basis)
        self.stored[change.request_id] = updated
        self.outbox.extend(change.messages)
        self.deliveries.extend(change.deliveries)
        if answer is not None and answer.message_id is not None:
            self.answers[answer.message_id] = (change.request_id, answer)
        self.changes.append(change)

    def _warn(self, event: DeadlineWarned) -> None:
        """As the store's: once per due time, only on the due time the watcher saw; a missed one is not at risk."""
        request = event.request
        stored = self.stored.get(request.id)
        key = (request.id, event.which, request.due_at)
        running = stored is not None and stored.state in CLOCK_RUNNING  # answered meanwhile: no warning
        if stored is None or not running or stored.due_at != request.due_at or key in self.warned:
            raise StateMoved(request.id)
        self.warned[key] = event.at
        if event.which == MISSED:
            self.warned.setdefault((request.id, AT_RISK, request.due_at), event.at)
        self.outbox.append(event.message)
        self.warnings.append(event)

    def _snapshot(self) -> tuple[Any, ...]:
        return (
            dict(self.stored),
            list(self.outbox),
            dict(self.raw),
            dict(self.canonical),
            list(self.changes),
            dict(self.answers),
            list(self.deliveries),
            list(self.accepted),
            dict(self.warned),
            list(self.warnings),
        )

    def _restore(self, snapshot: tuple[Any, ...]) -> None:
        (
            self.stored,
            self.outbox,
            self.raw,
            self.canonical,
            self.changes,
            self.answers,
            self.deliveries,
            self.accepted,
            self.warned,
            self.warnings,
        ) = snapshot

    def canonical_body(self, request_id: str) -> str | None:
        return self.canonical.get(request_id)

    def audit_trail(self, request_id: str) -> list[dict[str, object]]:
        """As the store's, for the changes after intake: oldest first."""
        return [
            {"at": change.at, "actor": change.actor, "event": change.event, "to_state": change.to_state.value}
            for change in self.changes
            if change.request_id == request_id
        ]

    def awaiting_materials_past(self, now: datetime) -> list[str]:
        """As the store's: applications awaiting materials after the centre's date."""
        return [
            stored.id
            for stored in self.stored.values()
            if stored.state is RequestState.AWAITING_MATERIALS and stored.due_at < now
        ]

    def latest_answers(self, request_id: str) -> dict[str, dict[str, Any]]:
        """As the store's: the newest answer of each kind (a replacement as the appointment)."""
        latest: dict[str, dict[str, Any]] = {}
        for change in self.changes:
            if change.request_id == request_id and change.answer is not None:
                latest[change.answer.slot] = change.answer.body
        return latest

    def answer_request(self, message_id: str) -> str | None:
        found = self.answers.get(message_id)
        return found[0] if found else None

    def co_defendants_lawyers(self, request_id: str) -> dict[str, str]:
        """As the store's: other persons' defence requests of the same case and agency with a lawyer appointed."""
        mine = self.stored[request_id]
        person = json.loads(self.canonical[request_id])["person"]["id_number"]
        latest: dict[str, str] = {}
        for change in self.changes:
            other = self.stored[change.request_id]
            if change.answer is None or change.answer.kind not in ("appointment", "replacement"):
                continue
            if (other.case_number, other.agency_code) != (mine.case_number, mine.agency_code) or other.id == mine.id:
                continue
            if other.kind is Kind.DUTY_LAWYER or other.state not in (RequestState.ASSIGNED, RequestState.INFORMED):
                continue
            if json.loads(self.canonical[other.id])["person"]["id_number"] == person:
                continue
            latest[other.id] = change.answer.body["lawyer"]["licence_number"]
        return {licence: other_id for other_id, licence in latest.items()}


@dataclass
class FakeDeadlines:
    """The DeadlineStore port over an InMemoryStore: the requests whose clock runs, and their warnings."""

    store: InMemoryStore
    running: frozenset[RequestState] = frozenset({RequestState.RECEIVED, RequestState.QUEUED})

    def open_requests(self) -> list[StoredRequest]:
        return sorted((s for s in self.store.stored.values() if s.state in self.running), key=lambda s: s.due_at)

    def unwarned(self, which: str, due_before: datetime) -> list[StoredRequest]:
        warned = self.store.warned
        return [s for s in self.open_requests() if s.due_at <= due_before and (s.id, which, s.due_at) not in warned]


@dataclass
class FakeLeases:
    """Leases in memory: the holder set here holds them all."""

    holder: str | None = None  # None: free for the taking
    released: list[str] = field(default_factory=list)

    def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        if self.holder in (None, holder):
            self.holder = holder
            return True
        return False

    def release(self, name: str, holder: str) -> None:
        if self.holder == holder:
            self.holder = None
            self.released.append(name)


@dataclass
class FakeDeliveries:
    """The DeliveryQueue port: notices in a list, attempts recorded, a failure retried or parked as told."""

    pending: list[Delivery] = field(default_factory=list)
    attempts: list[tuple[Delivery, Attempt, datetime | None]] = field(default_factory=list)  # ..., retry at
    parked: list[Delivery] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)

    known: list[Delivery] = field(default_factory=list)  # every notice queued, sent or not

    def add(self, delivery: Delivery) -> None:
        self.pending.append(delivery)
        self.known.append(delivery)

    def process_next(self, send: Callable[[Delivery], Attempt], retry_at: Callable[[int], datetime | None]) -> bool:
        if not self.pending:
            return False
        delivery = self.pending.pop(0)
        attempt = send(delivery)
        if attempt.outcome == DELIVERED:
            self.attempts.append((delivery, attempt, None))
            self.delivered.append(delivery)
            return True
        when = retry_at(delivery.attempts + 1)
        self.attempts.append((delivery, attempt, when))
        if when is None:
            self.parked.append(delivery)
        return True

    def newest_informing(self, request_id: str, events: frozenset[str]) -> int | None:
        ids = [d.id for d in self.known if d.request_id == request_id and d.event in events]
        return max(ids, default=None)


@dataclass
class FakeDirectory:
    """The CallbackDirectory port: agencies and their callbacks by code."""

    agencies: dict[str, Agency] = field(default_factory=dict)
    callbacks: dict[str, Callback] = field(default_factory=dict)

    def by_code(self, code: str) -> Agency | None:
        return self.agencies.get(code)

    def callback_of(self, code: str) -> Callback | None:
        return self.callbacks.get(code)


@dataclass
class FakeNotifier:
    """The Notifier port: answers with the outcomes queued (delivered when none), or raises what is queued."""

    clock: Any
    outcomes: list[str | BaseException] = field(default_factory=list)
    sent: list[tuple[Callback, AgencyType, Delivery]] = field(default_factory=list)

    def send(self, callback: Callback, agency_type: AgencyType, delivery: Delivery) -> Attempt:
        self.sent.append((callback, agency_type, delivery))
        outcome = self.outcomes.pop(0) if self.outcomes else DELIVERED
        if isinstance(outcome, BaseException):
            raise outcome
        return Attempt(self.clock.now(), outcome, http_status=200 if outcome == DELIVERED else 503)


@dataclass
class FakeRetention:
    """The RetentionStore port: originals by request with their receipt time; purges and holds recorded."""

    received: dict[str, datetime] = field(default_factory=dict)
    holds: dict[str, LegalHold] = field(default_factory=dict)
    purged: dict[str, datetime] = field(default_factory=dict)
    purge_calls: list[list[str]] = field(default_factory=list)

    def due(self, received_before: datetime) -> list[str]:
        return [
            rid
            for rid, at in sorted(self.received.items(), key=lambda item: item[1])
            if at < received_before and rid not in self.holds and rid not in self.purged
        ]

    def held_back(self, received_before: datetime) -> int:
        return sum(1 for rid in self.holds if self.received.get(rid, received_before) < received_before)

    def purge(self, request_ids: Sequence[str], received_before: datetime, at: datetime, days: int) -> int:
        self.purge_calls.append(list(request_ids))
        due = set(self.due(received_before))
        for rid in request_ids:
            if rid in due:
                self.purged[rid] = at
        return len(due & set(request_ids))

    def hold(self, request_id: str) -> LegalHold | None:
        return self.holds.get(request_id)

    def set_hold(self, request_id: str, reason: str, actor: str, at: datetime) -> HoldOutcome:
        if request_id not in self.received:
            return HoldOutcome(found=False)
        changed = request_id not in self.holds
        self.holds[request_id] = LegalHold(request_id, reason, actor, at)
        return HoldOutcome(found=True, changed=changed, purged_at=self.purged.get(request_id))

    def clear_hold(self, request_id: str, actor: str, at: datetime) -> HoldOutcome:
        if request_id not in self.received:
            return HoldOutcome(found=False)
        return HoldOutcome(found=True, changed=self.holds.pop(request_id, None) is not None)
