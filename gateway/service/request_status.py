"""What an agency may read of its own requests: the status and the history, and nothing of others'."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gateway.domain.enums import RequestState
from gateway.domain.model import Agency
from gateway.errors import RequestNotFound
from gateway.rules.linking import PROBABLE_DUPLICATE
from gateway.service.ports import StoredRequest

# A flag that tells of another agency's request for the same person: shown to the centre only.
CENTRE_ONLY_FLAGS = frozenset({PROBABLE_DUPLICATE})


class StatusStore(Protocol):
    """What the status query needs of the store."""

    def get(self, request_id: str) -> StoredRequest | None: ...


class HistoryStore(StatusStore, Protocol):
    """The store with the audit trail."""

    def audit_trail(self, request_id: str) -> list[dict[str, object]]: ...

    def latest_answers(self, request_id: str) -> dict[str, dict[str, Any]]: ...

    def canonical_body(self, request_id: str) -> str | None: ...


@dataclass(frozen=True)
class HistoryEntry:
    """One state change as the sender sees it."""

    at: datetime
    event: str
    state: str | None


@dataclass(frozen=True)
class RequestStatus:
    """A request and its history."""

    request: StoredRequest
    history: tuple[HistoryEntry, ...]
    answers: dict[str, dict[str, Any]]  # "appointment", "decision": the latest of each, as stored
    related: list[dict[str, Any]]  # the same person's other requests, as on the canonical message
    flags: tuple[str, ...] = ()  # what is unusual but lawful, e.g. calendar_unconfirmed (as on the canonical message)


def answers_in_force(stored: StoredRequest, answers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest answers, without a termination the justice bureau ordered corrected (LAL 49): it stands only
    while the request is terminated."""
    if stored.state is RequestState.TERMINATED:
        return answers
    return {kind: body for kind, body in answers.items() if kind != "termination"}


def find_own_request(store: StatusStore, request_id: str, agency: Agency) -> StoredRequest:
    """The request if `agency` sent it; otherwise RequestNotFound, as if it did not exist."""
    stored = store.get(request_id)
    if stored is None or stored.agency_code != agency.code:
        # Another agency's request is reported as absent: its existence is not the caller's business.
        raise RequestNotFound(f"no request {request_id} was sent by this agency")
    return stored


def find_visible_request(store: StatusStore, request_id: str, agency: Agency) -> StoredRequest:
    """The request if `agency` sent it or is the centre it was routed to; otherwise RequestNotFound."""
    stored = store.get(request_id)
    if stored is None or agency.code not in (stored.agency_code, stored.centre_code):
        raise RequestNotFound(f"no request {request_id} was sent by or routed to this agency")
    return stored


def status_of(store: HistoryStore, request_id: str, agency: Agency) -> RequestStatus:
    """The status, history and the centre's latest answers, for the sender or the centre."""
    stored = find_visible_request(store, request_id, agency)
    history = tuple(
        HistoryEntry(at=entry["at"], event=str(entry["event"]), state=entry["to_state"])  # type: ignore[arg-type]
        for entry in store.audit_trail(request_id)
    )
    canonical = json.loads(store.canonical_body(request_id) or "{}")
    # Other agencies' requests for the same person are the centre's business, not the sender's.
    centre = agency.code == stored.centre_code
    flags = tuple(flag for flag in canonical.get("flags", ()) if centre or flag not in CENTRE_ONLY_FLAGS)
    return RequestStatus(
        request=stored,
        history=history,
        answers=answers_in_force(stored, store.latest_answers(request_id)),
        related=list(canonical.get("related", [])) if centre else [],
        flags=flags,
    )
