"""Interfaces between the use cases and the infrastructure; fakes in tests satisfy the same."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from gateway.domain.documents import DocumentKind
from gateway.domain.enums import AgencyType, Kind, RequestState, Stage
from gateway.domain.model import Agency, LegalAidRequest, Person, PersonMatch
from gateway.domain.staff import StaffMember


@dataclass(frozen=True)
class RawPayload:
    """The inbound message exactly as received, kept for the record until the retention period ends."""

    content_type: str
    body: bytes
    purged_at: datetime | None = None  # emptied by the retention run (the body is then empty)
    request_id: str | None = None  # the X-Request-Id of the call that brought it


@dataclass(frozen=True)
class OutboxMessage:
    """A message waiting to be published by the relay."""

    message_id: str
    exchange: str
    routing_key: str
    body: bytes
    headers: dict[str, str]
    content_type: str = "application/json"
    correlation_id: str | None = None
    request_id: str | None = None


@dataclass
class Confirmations:
    """What the broker said of a pass: confirmed message ids, refused ones with the reason, and the error
    (the broker or the link went away) that left the rest unconfirmed, if one did."""

    confirmed: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    interrupted: BaseException | None = None


def one_at_a_time(publish: Callable[[OutboxMessage], None]) -> Callable[[list[OutboxMessage]], Confirmations]:
    """A pass publisher from a one-message one (which raises PublishRefused, or anything when the link is lost)."""

    def publish_all(messages: list[OutboxMessage]) -> Confirmations:
        said = Confirmations()
        for message in messages:
            try:
                publish(message)
            except PublishRefused as exc:
                said.refused[message.message_id] = str(exc)
            except BaseException as exc:  # the broker went away: the rest stay unconfirmed
                said.interrupted = exc
                break
            else:
                said.confirmed.append(message.message_id)
        return said

    return publish_all


@dataclass(frozen=True)
class StoredRequest:
    """What the store knows of a request without loading its canonical body."""

    id: str
    kind: Kind
    agency_code: str
    reference: str
    case_number: str
    state: RequestState
    digest: str
    received_at: datetime
    due_at: datetime
    deadline_obligation: str
    deadline_basis: str
    centre_code: str
    routing_key: str
    updated_at: datetime
    http_request_id: str | None = None  # the X-Request-Id of the agency's call
    traceparent: str | None = None  # the intake's W3C trace context: the notice's later steps continue its trace
    version: int = 0  # raised by every recorded change: a change is written only on the version it read


class ReferenceTaken(Exception):
    """The (agency, reference, kind) key is already stored; raised by UnitOfWork.commit."""


class PublishRefused(Exception):
    """The broker refused one message (nack or unroutable); the others go on."""


class Clock(Protocol):
    """Source of the current time; tests control it."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@dataclass(frozen=True)
class Accepted:
    """What happened at intake: a request accepted, the message it came in, its digest, its message to the bus."""

    request: LegalAidRequest
    digest: str
    raw: RawPayload
    message: OutboxMessage
    traceparent: str | None = None  # the intake's trace context, kept with the request


class StateMoved(Exception):
    """The request is no longer as the event was decided from (another writer moved it, or warned of its deadline
    first); nothing was written."""


class UnitOfWork(Protocol):
    """One transaction: what a use case reads inside it, and what it records, written as rows at `commit`.

    The use case decides and records events (`Accepted`, `StateChange`); the unit of work turns them into the
    rows they imply (request, raw payload, outbox messages, answer, deliveries, audit records) and writes them
    all or none. Leaving the block without `commit` writes nothing.
    """

    def __enter__(self) -> "UnitOfWork": ...

    def __exit__(self, *exc_info: object) -> None: ...

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        """The request an agency stored under this reference and kind, if any."""
        ...

    def get(self, request_id: str) -> StoredRequest | None:
        """A request by gateway id."""
        ...

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        """This person's requests (by ID number, or name and birth date) that may relate to a new one."""
        ...

    def record(self, event: "Recorded") -> None:
        """Something that happened; its rows are written at commit, in the order recorded."""
        ...

    def reserve_document_number(self, centre_code: str, kind: DocumentKind, year: int) -> int:
        """The next number of a centre's documents of `kind` in `year`, taken in this transaction (given back
        if it is not committed)."""
        ...

    def commit(self) -> None:
        """Write the recorded events' rows in one transaction. Nothing is written if it raises ReferenceTaken
        (an accepted request's key is taken), StateMoved or AnswerAlreadyApplied."""
        ...


class RequestStore(Protocol):
    """Where a writing use case starts its unit of work."""

    def unit(self) -> UnitOfWork:
        """A new unit of work (enter it to begin the transaction)."""
        ...


class AgencyDirectory(Protocol):
    """The registry of agencies, looked up by credentials."""

    def by_api_key(self, api_key: str) -> Agency | None:
        """The agency holding this API key, if any."""
        ...


@dataclass(frozen=True)
class IssuedDocument:
    """An official document as issued: written once, kept sealed, filed by its number, known by its digest."""

    id: str
    kind: DocumentKind
    centre_code: str  # the issuing centre: its documents are numbered on their own
    number: str
    title: str
    media_type: str
    content: bytes
    sha256: str  # hex, of `content`
    issued_at: datetime


@dataclass(frozen=True)
class StoredDocument:
    """A document's reference and digest (its content only when asked for)."""

    id: str
    request_id: str
    kind: str
    number: str
    title: str
    media_type: str
    sha256: str
    issued_at: datetime
    content: bytes | None = None


@dataclass(frozen=True)
class DocumentFacts:
    """What an official document states: who issues it to whom, about which request, and the decision."""

    kind: DocumentKind
    number: str
    issued_at: datetime
    issuer: str  # the centre's name
    addressee: str  # the organ that sent the request
    request_kind: Kind
    reference: str  # the organ's own document number
    case_number: str
    person: str  # the name of the person the request is for
    answer: dict[str, Any]  # the decision as the centre recorded it (schemas.answers)


class DocumentRenderer(Protocol):
    """Lays an official document out (PDF)."""

    media_type: str

    def render(self, facts: DocumentFacts) -> tuple[str, bytes]:
        """The document's title and content."""
        ...


class DocumentSource(Protocol):
    """What a document names besides the decision: the organs' names and the person's."""

    def agency_name(self, code: str) -> str:
        """A registered agency's or centre's name (its code if it is unknown)."""
        ...

    def person_name(self, request_id: str) -> str:
        """The name of the person a request is for."""
        ...


@dataclass(frozen=True)
class NewAnswer:
    """The centre's answer stored with the state change it causes."""

    kind: str  # appointment, replacement, decision, termination
    body: dict[str, Any]
    message_id: str | None = None  # when it came from legalaid.appointments

    @property
    def slot(self) -> str:
        """Where the answer is shown and sent: a replacement is the appointment now in force."""
        return ANSWER_SLOT.get(self.kind, self.kind)


# A stored answer's kind -> the name it is shown and sent under (status, callbacks): the latest of each.
ANSWER_SLOT = {"appointment": "appointment", "replacement": "appointment"}


@dataclass(frozen=True)
class NewDelivery:
    """A notice to send back to the agency, queued with the state change it reports."""

    agency_code: str
    idempotency_key: str
    event: str
    body: dict[str, Any]


@dataclass(frozen=True)
class StateChange:
    """One transition of one request and everything written with it, in one transaction."""

    request_id: str
    from_state: RequestState
    to_state: RequestState
    event: str
    actor: str
    at: datetime
    detail: dict[str, Any] | None = None
    messages: tuple[OutboxMessage, ...] = ()
    answer: NewAnswer | None = None
    deliveries: tuple[NewDelivery, ...] = ()
    deadline: tuple[datetime, str, str] | None = None  # a new (due_at, obligation, basis)
    document: "IssuedDocument | None" = None  # the official document the change issues
    from_version: int | None = None  # the request's version as read; None: compare the state only


class AnswerAlreadyApplied(Exception):
    """An answer with this message_id was stored before; nothing was changed."""


@dataclass(frozen=True)
class Callback:
    """How an agency hears back: its SOAP callback WSDL (with a UsernameToken) or a signed webhook."""

    kind: str  # "soap" or "webhook"
    url: str
    secret: str  # the webhook's HMAC key, or the SOAP password
    username: str | None = None  # SOAP: the UsernameToken's username
    wsdl: bytes | None = None  # SOAP: the callback WSDL as fetched and checked at registration


@dataclass(frozen=True)
class StaffAccount:
    """An account as stored: the member, its password hash and its lockout state."""

    member: StaffMember
    password_hash: str
    failed_logins: int
    locked_until: datetime | None
    disabled: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in session, found by the hash of its cookie token."""

    member: StaffMember
    created_at: datetime
    last_seen_at: datetime


# --- the workers' ports: deadline warnings, deliveries back to the agencies, retention, leases ----------------

AT_RISK, MISSED = "at_risk", "missed"  # the two warnings of a deadline, each published once per deadline
DELIVERED, FAILED = "delivered", "failed"  # what one attempt to deliver a notice gave


@dataclass(frozen=True)
class DeadlineWarned:
    """A request's deadline is near (AT_RISK) or has passed (MISSED): recorded once per deadline, with its event."""

    request: StoredRequest  # as the watcher read it: the warning is for this due time
    which: str
    at: datetime
    message: OutboxMessage


class DeadlineStore(Protocol):
    """The open requests by due time, and which warnings each has had."""

    def open_requests(self) -> list[StoredRequest]:
        """Requests whose legal clock runs, by due time."""
        ...

    def unwarned(self, which: str, due_before: datetime) -> list[StoredRequest]:
        """Requests due before the time and not yet warned of as `which` (AT_RISK or MISSED)."""
        ...


class Leases(Protocol):
    """Named leases, so that one of several instances runs a worker."""

    def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take or renew the lease for `ttl`; False while another holder's is current."""
        ...

    def release(self, name: str, holder: str) -> None:
        """Give the lease up at once."""
        ...


@dataclass(frozen=True)
class Delivery:
    """One notice to one agency."""

    id: int
    request_id: str
    agency_code: str
    idempotency_key: str
    event: str
    body: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    http_request_id: str | None = None  # the X-Request-Id of the agency's notice, sent back with the callback
    traceparent: str | None = None  # the notice's trace, which the callback continues


@dataclass(frozen=True)
class Attempt:
    """What one try to deliver a notice gave."""

    at: datetime
    outcome: str  # delivered, failed
    http_status: int | None = None
    fault_code: str | None = None
    error: str | None = None


class DeliveryQueue(Protocol):
    """The durable queue of notices back to the agencies."""

    def process_next(self, send: Callable[[Delivery], Attempt], retry_at: Callable[[int], datetime | None]) -> bool:
        """Send the next due notice and record the attempt (retry at `retry_at(attempts)`, or park on None);
        False when none is due."""
        ...

    def newest_informing(self, request_id: str, events: frozenset[str]) -> int | None:
        """The id of the request's newest notice of one of `events`."""
        ...


class CallbackDirectory(Protocol):
    """Who the agencies are and how each hears back."""

    def by_code(self, code: str) -> Agency | None: ...

    def callback_of(self, code: str) -> Callback | None: ...


class Notifier(Protocol):
    """Sends one notice by the agency's callback: a signed webhook or its SOAP service."""

    def send(self, callback: "Callback", agency_type: AgencyType, delivery: Delivery) -> Attempt: ...


@dataclass(frozen=True)
class LegalHold:
    """Why and since when a request's original message is kept past the retention period."""

    request_id: str
    reason: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class HoldOutcome:
    """What setting or clearing a hold found: the request, and whether its original was already purged."""

    found: bool
    changed: bool = False
    purged_at: datetime | None = None


class RetentionStore(Protocol):
    """Original messages past their time, legal holds, and the purge (each change recorded on the audit chain)."""

    def due(self, received_before: datetime) -> list[str]:
        """Requests received before the time whose original is still kept and not held."""
        ...

    def held_back(self, received_before: datetime) -> int:
        """How many of those a legal hold keeps."""
        ...

    def purge(self, request_ids: Sequence[str], received_before: datetime, at: datetime, days: int) -> int:
        """Empty the originals of these requests (still due: received before, not held); how many were."""
        ...

    def hold(self, request_id: str) -> LegalHold | None: ...

    def set_hold(self, request_id: str, reason: str, actor: str, at: datetime) -> HoldOutcome: ...

    def clear_hold(self, request_id: str, actor: str, at: datetime) -> HoldOutcome: ...


# What a use case records in a unit of work.
Recorded = Accepted | StateChange | DeadlineWarned


# --- the audit sequencer's port ---------------------------------------------------------------------------------


class ChainHeadMismatch(RuntimeError):
    """The head row does not match the newest linked record: someone changed one of them. Nothing is linked."""


@dataclass(frozen=True)
class ChainHead:
    """Where the chain stands: its length, its newest hash, and its last published checkpoint."""

    count: int
    head_hash: str | None
    checkpoint_seq: int | None
    checkpoint_at: datetime | None


class AuditChain(Protocol):
    """The audit chain's head and its queue of unlinked records."""

    def link(self, batch: int = 500) -> int:
        """Link up to `batch` committed records, oldest written first; how many were linked."""
        ...

    def head(self) -> ChainHead:
        """The head row as it stands."""
        ...

    def record_checkpoint(self, head: ChainHead, message: OutboxMessage) -> bool:
        """Queue the checkpoint's event and note it on the head, unless the head has moved since it was read."""
        ...


# --- the reports' rows -------------------------------------------------------------------------------------------

APPLICANT_SUPPLIES = "supply_materials"  # the deadline is the applicant's, not the centre's


@dataclass(frozen=True)
class ReportRow:
    """What a report counts of one request."""

    agency_code: str
    kind: str
    state: str
    received_at: datetime
    due_at: datetime
    assigned_at: datetime | None  # the first appointment, if any
    closed_at: datetime | None = None  # when it was withdrawn, declined or terminated, if it was
    decided_at: datetime | None = None  # an application: when it was granted or refused
    decision_due_at: datetime | None = None  # an application: its LAL 43 deadline to decide, where known
    obligation: str | None = None  # whose deadline `due_at` is: the centre's, or the applicant's for materials
