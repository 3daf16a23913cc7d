"""Every state change after intake takes this one path: the lifecycle's rule, then one transaction."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from gateway.domain.enums import RequestState
from gateway.domain.lifecycle import Event, TransitionRefused, next_state
from gateway.errors import IllegalTransition
from gateway.service.documents import DocumentIssuer
from gateway.service.messages import event_message
from gateway.service.ports import (
    Clock,
    IssuedDocument,
    NewAnswer,
    NewDelivery,
    OutboxMessage,
    RequestStore,
    StateChange,
    StateMoved,
    StoredRequest,
    UnitOfWork,
)
from gateway.tracing import span_in
from schemas.fields import china_iso

NOTICE_SCHEMA = "legalaid.notice/1"
# Events the sending agency is told about, through its callback (LAL 36: "assign and inform").
NOTIFIED_EVENTS = frozenset(
    {
        Event.ASSIGNED,
        Event.REPLACED,
        Event.GRANTED,
        Event.DECLINED,
        Event.TERMINATED,
        Event.OBJECTION_UPHELD,
        Event.OBJECTION_CORRECTED,
        Event.MATERIALS_REQUESTED,
        Event.DEEMED_WITHDRAWN,
    }
)


@dataclass(frozen=True)
class Change:
    """What the caller adds to a transition: who, why, the answer, a new deadline, more messages."""

    actor: str
    detail: dict[str, Any] | None = None
    answer: NewAnswer | None = None
    deadline: tuple[datetime, str, str] | None = None
    messages: tuple[OutboxMessage, ...] = field(default=())


class Transitions:
    """Applies an event to a request: refused with IllegalTransition unless the lifecycle allows it."""

    def __init__(
        self,
        store: RequestStore,
        clock: Clock,
        has_callback: Callable[[str], bool],
        documents: DocumentIssuer | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._has_callback = has_callback
        self._documents = documents  # None: no official documents (a store that keeps none)

    def apply(
        self,
        request_id: str,
        event: Event,
        change: Change,
        already: Callable[[StoredRequest], bool] | None = None,
    ) -> StoredRequest:
        """Move the request in one unit of work; a concurrent writer makes it re-read and decide again.

        `already`, for an event recorded once (a proof of service, say), tells whether the request as read has
        it: then nothing is written and the request is returned as it is. It is asked after each read, and the
        change is written only on the version read, so two concurrent calls record the event once.
        """
        for _attempt in range(3):
            with self._store.unit() as uow:
                stored = uow.get(request_id)
                if stored is None:
                    raise IllegalTransition(f"request {request_id} does not exist")
                if already is not None and already(stored):
                    return stored
                try:
                    target = next_state(stored.kind, stored.state, event)
                except TransitionRefused as exc:
                    raise IllegalTransition(str(exc)) from exc
                with span_in(stored.traceparent, f"request.{event.value}"):  # the notice's trace goes on
                    moved = self._write(uow, stored, event, target, change)
                if moved is not None:
                    return moved
        raise IllegalTransition(f"request {request_id} kept changing state; try again")

    def _write(
        self, uow: UnitOfWork, stored: StoredRequest, event: Event, target: RequestState, change: Change
    ) -> StoredRequest | None:
        """Record the change and commit; None if another writer moved the request first."""
        at = self._clock.now()
        document = self._documents.issue(uow, stored, event, change.answer, at) if self._documents else None
        state_change = StateChange(
            request_id=stored.id,
            from_state=stored.state,
            from_version=stored.version,
            to_state=target,
            event=event.value,
            actor=change.actor,
            at=at,
            detail=change.detail,
            messages=(self._event(stored, event, at), *change.messages),
            answer=change.answer,
            deliveries=self._notices(stored, event, at, change, document),
            deadline=change.deadline,
            document=document,
        )
        uow.record(state_change)
        try:
            uow.commit()
        except StateMoved:
            return None
        return _moved(stored, state_change)

    def _event(self, stored: StoredRequest, event: Event, at: datetime) -> OutboxMessage:
        return event_message(str(uuid.uuid4()), f"request.{event.value}", stored, at)

    def _notices(
        self, stored: StoredRequest, event: Event, at: datetime, change: Change, document: IssuedDocument | None
    ) -> tuple[NewDelivery, ...]:
        if event not in NOTIFIED_EVENTS or not self._has_callback(stored.agency_code):
            return ()
        key = f"{stored.id}.{event.value}.{at.strftime('%Y%m%dT%H%M%S%f')}"
        body: dict[str, Any] = {
            "schema": NOTICE_SCHEMA,
            "idempotency_key": key,
            "event": event.value,
            "request_id": stored.id,
            "kind": stored.kind.value,
            "reference": stored.reference,
            "case_number": stored.case_number,
            "centre_code": stored.centre_code,
            "at": china_iso(at),
        }
        if change.answer is not None:
            body[change.answer.slot] = change.answer.body
        if document is not None:
            body["document"] = document_reference(stored.id, document)
        return (NewDelivery(stored.agency_code, key, event.value, body),)


def document_reference(request_id: str, document: IssuedDocument) -> dict[str, str]:
    """A document by reference and digest, as callbacks and the status carry it: the agency fetches it with its
    own credentials and checks the digest."""
    return {
        "id": document.id,
        "kind": document.kind.value,
        "title": document.title,
        "number": document.number,
        "media_type": document.media_type,
        "sha256": document.sha256,
        "url": f"/api/v1/requests/{request_id}/documents/{document.id}",
        "issued_at": china_iso(document.issued_at),
    }


def _moved(stored: StoredRequest, change: StateChange) -> StoredRequest:
    """The request as the change left it."""
    moved = replace(stored, state=change.to_state, updated_at=change.at, version=stored.version + 1)
    if change.deadline is None:
        return moved
    due_at, obligation, basis = change.deadline
    return replace(moved, due_at=due_at, deadline_obligation=obligation, deadline_basis=basis)
