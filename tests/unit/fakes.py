"""Fakes behind the ports, for unit tests of the use cases."""

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from gateway.domain.enums import Kind, RequestState, Stage
from gateway.domain.model import Person, PersonMatch
from gateway.ports import (
    Accepted,
    AnswerAlreadyApplied,
    NewAnswer,
    NewDelivery,
    OutboxMessage,
    RawPayload,
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
        self.events: list[Accepted | StateChange] = []

    def __enter__(self) -> "FakeUnitOfWork":
        self.events = []
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.events = []  # not committed: dropped

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        return self._store.find_by_reference(agency_code, reference, kind)

    def get(self, request_id: str) -> StoredRequest | None:
        return self._store.get(request_id)

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        return self._store.same_person(person, agency_code, stage)

    def record(self, event: Accepted | StateChange) -> None:
        self.events.append(event)

    def commit(self) -> None:
        """As the store's: every event's rows or none. A concurrent writer the test set up commits first."""
        store = self._store
        for event in self.events:
            if isinstance(event, StateChange) and event.request_id in store.moved_by_another:
                state = store.moved_by_another.pop(event.request_id)
                store.stored[event.request_id] = replace(store.stored[event.request_id], state=state)
        snapshot = store._snapshot()
        try:
            for event in self.events:
                if isinstance(event, Accepted):
                    store._accept(event)
                else:
                    store._apply(event)
        except BaseException:
            store._restore(snapshot)
            raise
        finally:
            self.events = []
        store.transactions += 1


@dataclass
class InMemoryStore:
    """The RequestStore port in memory."""

    stored: dict[str, StoredRequest] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    raw: dict[str, RawPayload] = field(default_factory=dict)
    transactions: int = 0  # committed
    canonical: dict[str, str] = field(default_factory=dict)  # request id -> the canonical JSON on the bus
    changes: list[StateChange] = field(default_factory=list)  # every transition written, in order
    answers: dict[str, tuple[str, NewAnswer]] = field(default_factory=dict)  # message_id -> (request, answer)
    deliveries: list[NewDelivery] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)  # every request accepted, in order
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
        answer = change.answer
        if answer is not None and answer.message_id is not None and answer.message_id in self.answers:
            raise AnswerAlreadyApplied(answer.message_id)
        updated = replace(stored, state=change.to_state, updated_at=change.at)
        if change.deadline is not None:
            due_at, obligation, basis = change.deadline
            updated = replace(updated, due_at=due_at, deadline_obligation=obligation, deadline_basis=basis)
        self.stored[change.request_id] = updated
        self.outbox.extend(change.messages)
        self.deliveries.extend(change.deliveries)
        if answer is not None and answer.message_id is not None:
            self.answers[answer.message_id] = (change.request_id, answer)
        self.changes.append(change)

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
