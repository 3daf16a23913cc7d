"""The unit of work on SQLAlchemy Core: the use case's reads, then its events written at commit in one transaction
(SQLite: the reads inside it too; PostgreSQL: the transaction begins at the first write, docs/write-path.md).

The use case records what happened (`Accepted`, `StateChange`); `commit` turns the events into the rows they
imply and writes each table's rows in one statement: requests and their bodies, raw payloads, the state
compare-and-sets, outbox messages, answers, deliveries, audit records. Which rows an event implies is decided
here, once, not in the SQL classes of the reads.
"""

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gateway.domain.documents import DocumentKind
from gateway.domain.enums import Kind, RequestState, Stage
from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.domain.model import Person, PersonMatch
from gateway.service.ports import (
    AT_RISK,
    MISSED,
    Accepted,
    AnswerAlreadyApplied,
    DeadlineWarned,
    IssuedDocument,
    NewDelivery,
    Recorded,
    ReferenceTaken,
    StateChange,
    StateMoved,
    StoredRequest,
)
from gateway.store.audit import DOCUMENT_ISSUED, AuditRecord, append_audit, audit_insert, audit_values
from gateway.store.driver import DriverStatement
from gateway.store.engine import READ_ONLY
from gateway.store.outbox import BODY_COLUMNS, OUTBOX_COLUMNS, insert_outbox, outbox_row
from gateway.store.sealed import document_context, payload_context
from gateway.store.tables import (
    agencies,
    answers,
    deliveries,
    document_numbers,
    documents,
    in_states,
    inbound_payloads,
    outbox,
    outbox_bodies,
    request_bodies,
    requests,
)

if TYPE_CHECKING:
    from gateway.store.requests import SqlRequestStore

_PAYLOAD_COLUMNS = ("request_id", "channel", "content_type", "body", "sealed_with", "received_at")
_REQUEST_BODY_COLUMNS = ("request_id", "canonical", "sealed_with")
# Every write the events imply, built once: values are bound at each commit.
_INSERT_REQUEST = requests.insert()
_INSERT_REQUEST_BODY = request_bodies.insert()
_INSERT_PAYLOAD = inbound_payloads.insert()
_INSERT_ANSWER = answers.insert()
_INSERT_DELIVERY = deliveries.insert()
_INSERT_DOCUMENT = documents.insert()


class SqlUnitOfWork:
    """The UnitOfWork port: enter to begin the transaction (SQLite: BEGIN IMMEDIATE), `commit` to write."""

    def __init__(self, engine: sa.Engine, store: "SqlRequestStore") -> None:
        self._engine = engine
        self._store = store
        self._conn: sa.Connection | None = None
        self._events: list[Recorded] = []
        self._deferred = False  # PostgreSQL: no transaction yet, reads commit on their own

    def __enter__(self) -> "SqlUnitOfWork":
        conn = self._engine.connect()
        try:
            if conn.dialect.name == "postgresql":
                # Under READ COMMITTED a read sees what is committed whether or not a transaction is open, so the
                # reads run without one and the transaction begins at the first write (or lock): a notice's one
                # statement then commits itself, two round trips (BEGIN, COMMIT) fewer.
                conn.execution_options(isolation_level="AUTOCOMMIT")
                self._deferred = True
            else:
                conn.begin()  # SQLite: BEGIN IMMEDIATE, which may time out waiting for the write lock
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._events = []
        return self

    def __exit__(self, *exc_info: object) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                conn.rollback()  # left without commit: nothing is written
        finally:
            self._deferred = False
            conn.close()

    @property
    def _connection(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._conn

    def _transaction(self) -> sa.Connection:
        """The connection inside a transaction: on PostgreSQL the deferred one begins here. Begun explicitly, so
        statements run on the driver (gateway/store/driver.py) are in it too and committed with it."""
        conn = self._connection
        if self._deferred:
            conn.commit()  # ends the reads' autocommit block; nothing was written in it
            conn.execution_options(isolation_level=conn.default_isolation_level)
            self._deferred = False
        if not conn.in_transaction():
            conn.begin()
        return conn

    def find_by_reference(self, agency_code: str, reference: str, kind: Kind) -> StoredRequest | None:
        """The request an agency stored under this reference and kind, if any."""
        return self._store.by_reference(self._connection, agency_code, reference, kind)

    def get(self, request_id: str) -> StoredRequest | None:
        """A request by gateway id."""
        return self._store.by_id(self._connection, request_id)

    def same_person(self, person: Person, agency_code: str, stage: Stage) -> list[PersonMatch]:
        """This person's requests that may relate to a new one from `agency_code` at `stage`, oldest first."""
        return self._store.matches(self._connection, person, agency_code, stage)

    def record(self, event: Recorded) -> None:
        """Something that happened; its rows are written at commit, in the order recorded."""
        self._events.append(event)

    def reserve_document_number(self, centre_code: str, kind: DocumentKind, year: int) -> int:
        """The centre's next number for `kind` in `year`: its counter row moved in this transaction (and locked
        until it ends, so two decisions never take one number)."""
        conn = self._transaction()
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        counter = document_numbers.c
        upsert = dialect.insert(document_numbers).values(centre_code=centre_code, kind=kind.value, year=year, last=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[counter.centre_code, counter.kind, counter.year], set_={"last": counter.last + 1}
        )
        return int(conn.execute(upsert.returning(counter.last)).scalar_one())

    def commit(self) -> None:
        """Write the events' rows and commit; on ReferenceTaken, StateMoved or AnswerAlreadyApplied nothing is."""
        events, self._events = self._events, []
        conn = self._connection
        try:
            notice = self._one_notice(events)
            if notice is not None and self._deferred:  # PostgreSQL: one statement, atomic alone, committed by itself
                columns, values = notice
                _one_statement(columns).rows(conn, values)
            elif notice is not None:  # SQLite (or a transaction begun already): a statement a table, in it
                columns, values = notice
                conn = self._transaction()
                _write_in_turn(conn, columns, values)
            else:
                conn = self._transaction()
                self._write(conn, events)
            conn.commit()
        except sa.exc.IntegrityError as exc:
            conn.rollback()
            self._explain(events, exc)
            raise
        except StateMoved:
            conn.rollback()
            raise

    def _write(self, conn: sa.Connection, events: Sequence[Recorded]) -> None:
        accepted = [event for event in events if isinstance(event, Accepted)]
        changes = [event for event in events if isinstance(event, StateChange)]
        warnings = [event for event in events if isinstance(event, DeadlineWarned)]
        _compare_and_set(conn, changes, warnings)
        store = self._store
        keys = store.data_keys
        rows = [
            store.request_row(e.request, e.digest, e.raw.request_id) | {"traceparent": e.traceparent} for e in accepted
        ]
        bodies = [store.body_row(e.request.id, e.message.body) for e in accepted]
        payloads = [self._payload_row(e) for e in accepted]
        messages = [outbox_row(e.message, e.request.source.received_at, keys) for e in accepted]
        messages += [outbox_row(message, c.at, keys) for c in changes for message in c.messages]
        messages += [outbox_row(w.message, w.at, keys) for w in warnings]
        records = [_received(e) for e in accepted] + [_changed(c) for c in changes] + [_warned(w) for w in warnings]
        _insert(conn, _INSERT_REQUEST, rows)
        _insert(conn, _INSERT_REQUEST_BODY, bodies)
        _insert(conn, _INSERT_PAYLOAD, payloads)
        insert_outbox(conn, messages)
        _insert(conn, _INSERT_ANSWER, [_answer_row(c) for c in changes if c.answer is not None])
        _insert(conn, _INSERT_DELIVERY, [_delivery_row(c, d) for c in changes for d in c.deliveries])
        issued = [(c, c.document) for c in changes if c.document is not None]
        _insert(conn, _INSERT_DOCUMENT, [self._document_row(c, d) for c, d in issued])
        append_audit(conn, records + [_document_issued(c, d) for c, d in issued])

    def _one_notice(self, events: Sequence[Recorded]) -> tuple[tuple[str, ...], dict[str, object]] | None:
        """The common notice, one person accepted: its request's columns and the values of its six rows, each
        table's prefixed (`r_` the request, `q_` its body, `p_` the payload, `o_` and `b_` the outbox message and
        its body, `a_` the audit record)."""
        if len(events) != 1 or not isinstance(event := events[0], Accepted):
            return None
        keys = self._store.data_keys
        row = self._store.request_row(event.request, event.digest, event.raw.request_id)
        row["traceparent"] = event.traceparent
        message, body = outbox_row(event.message, event.request.source.received_at, keys)
        values = _prefixed("r_", row) | _prefixed("q_", self._store.body_row(event.request.id, event.message.body))
        values |= _prefixed("p_", self._payload_row(event))
        values |= _prefixed("o_", message) | _prefixed("b_", body)
        return tuple(row), values | audit_values(_received(event), "a_")

    def _payload_row(self, event: Accepted) -> dict[str, object]:
        keys, request = self._store.data_keys, event.request
        return {
            "request_id": request.id,
            "channel": request.source.channel.value,
            "content_type": event.raw.content_type,
            "body": keys.seal(event.raw.body, payload_context(request.id)),
            "sealed_with": keys.current_id,
            "received_at": request.source.received_at,
        }

    def _document_row(self, change: StateChange, document: IssuedDocument) -> dict[str, object]:
        keys = self._store.data_keys
        return {
            "id": document.id,
            "request_id": change.request_id,
            "kind": document.kind.value,
            "centre_code": document.centre_code,
            "number": document.number,
            "title": document.title,
            "media_type": document.media_type,
            "sha256": document.sha256,
            "content": keys.seal(document.content, document_context(document.id)),
            "sealed_with": keys.current_id,
            "issued_at": document.issued_at,
        }

    def _explain(self, events: Sequence[Recorded], exc: sa.exc.IntegrityError) -> None:
        """Raise the port's error an integrity error means, looked up afresh (the transaction is over)."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            for event in events:
                if isinstance(event, Accepted):
                    source = event.request.source
                    if self._store.by_reference(conn, source.agency_code, source.reference, event.request.kind):
                        raise ReferenceTaken(source.reference) from exc
                elif isinstance(event, StateChange) and event.answer is not None and event.answer.message_id:
                    found = conn.scalar(
                        sa.select(answers.c.request_id).where(answers.c.message_id == event.answer.message_id)
                    )
                    if found is not None:
                        raise AnswerAlreadyApplied(event.answer.message_id) from exc


# LAL 36: assigned is not enough, the agency must know; the clock runs until it is told.
INFORM_OBLIGATION = "assign_lawyer_and_inform_agency"
# The column that records each warning of a deadline, set once per due time.
WARNED = {AT_RISK: requests.c.at_risk_published_at, MISSED: requests.c.missed_published_at}


def clock_running() -> sa.ColumnElement[bool]:
    """Requests whose legal clock runs: open ones, and assigned ones whose agency is yet to be told."""
    told_by_callback = sa.select(agencies.c.code).where(agencies.c.callback_kind.is_not(None))
    return sa.or_(
        in_states([state.value for state in CLOCK_RUNNING]),
        sa.and_(
            in_states([RequestState.ASSIGNED.value]),
            requests.c.deadline_obligation == INFORM_OBLIGATION,
            requests.c.agency_code.in_(told_by_callback),
        ),
    )


def _warning_update(event: DeadlineWarned) -> sa.Update:
    """Mark the warning once: only for the due time the watcher saw, and while the clock still runs."""
    flags = {WARNED[event.which].key: event.at}
    if event.which == MISSED:
        flags[WARNED[AT_RISK].key] = event.at  # a missed deadline needs no late warning any more
    request = event.request
    return (
        requests.update()
        .where(requests.c.id == request.id, WARNED[event.which].is_(None), requests.c.due_at == request.due_at)
        .where(clock_running())  # answered meanwhile: no warning
        .values(**{key: sa.func.coalesce(requests.c[key], value) for key, value in flags.items()})
    )


def _warned(event: DeadlineWarned) -> AuditRecord:
    request = event.request
    return AuditRecord(
        request_id=request.id,
        at=event.at,
        actor="deadlines",
        event=f"deadline_{event.which}",
        from_state=request.state.value,
        to_state=request.state.value,
        detail={"due_at": request.due_at.isoformat(), "basis": request.deadline_basis},
    )


def _document_issued(change: StateChange, document: IssuedDocument) -> AuditRecord:
    """The document on the audit chain: its number and digest, never its content."""
    return AuditRecord(
        request_id=change.request_id,
        at=change.at,
        actor=change.actor,
        event=DOCUMENT_ISSUED,
        from_state=change.to_state.value,
        to_state=change.to_state.value,
        detail={"kind": document.kind.value, "number": document.number, "sha256": document.sha256},
    )


def _compare_and_set(conn: sa.Connection, changes: list[StateChange], warnings: list[DeadlineWarned]) -> None:
    """Each change and warning only on the request as it was read: StateMoved if another writer got there first."""
    for change in changes:
        if conn.execute(_state_update(change)).rowcount != 1:
            raise StateMoved(change.request_id)
    for warning in warnings:
        if conn.execute(_warning_update(warning)).rowcount != 1:
            raise StateMoved(warning.request.id)


def _insert(conn: sa.Connection, statement: sa.Insert, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(statement, rows)


def _prefixed(prefix: str, row: dict[str, object]) -> dict[str, object]:
    return {prefix + name: value for name, value in row.items()}


def _bound_insert(table: sa.Table, prefix: str, names: Sequence[str]) -> sa.Insert:
    return table.insert().values({name: sa.bindparam(prefix + name, type_=table.c[name].type) for name in names})


@cache
def _one_statement(request_columns: tuple[str, ...]) -> DriverStatement:
    """PostgreSQL: a notice's request with its body, raw payload, outbox message with its body and audit record in
    one statement (the foreign keys are checked at its end, when the request row is there), run on the driver."""
    request = _bound_insert(requests, "r_", request_columns).cte("new_request")
    request_body = _bound_insert(request_bodies, "q_", _REQUEST_BODY_COLUMNS).cte("new_request_body")
    payload = _bound_insert(inbound_payloads, "p_", _PAYLOAD_COLUMNS).cte("new_payload")
    message = _bound_insert(outbox, "o_", OUTBOX_COLUMNS).returning(outbox.c.id).cte("new_message")
    body_values = (sa.bindparam("b_" + name, type_=outbox_bodies.c[name].type) for name in BODY_COLUMNS)
    body = outbox_bodies.insert().from_select(["outbox_id", *BODY_COLUMNS], sa.select(message.c.id, *body_values))
    return DriverStatement(audit_insert("a_").add_cte(request, request_body, payload, message, body.cte("new_body")))


def _state_update(change: StateChange) -> sa.Update:
    values: dict[str, object] = {
        "state": change.to_state.value,
        "updated_at": change.at,
        "version": requests.c.version + 1,
    }
    if change.deadline is not None:
        values.update(zip(("due_at", "deadline_obligation", "deadline_basis"), change.deadline, strict=True))
        values.update(at_risk_published_at=None, missed_published_at=None)  # the new deadline is warned anew
    update = requests.update().where(requests.c.id == change.request_id, requests.c.state == change.from_state.value)
    if change.from_version is not None:
        update = update.where(requests.c.version == change.from_version)
    return update.values(values)


def _answer_row(change: StateChange) -> dict[str, Any]:
    assert change.answer is not None
    return {
        "request_id": change.request_id,
        "kind": change.answer.kind,
        "body": change.answer.body,
        "actor": change.actor,
        "at": change.at,
        "message_id": change.answer.message_id,
    }


def _delivery_row(change: StateChange, delivery: NewDelivery) -> dict[str, Any]:
    return {
        "request_id": change.request_id,
        "agency_code": delivery.agency_code,
        "idempotency_key": delivery.idempotency_key,
        "event": delivery.event,
        "body": delivery.body,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": change.at,
        "created_at": change.at,
    }


def _received(event: Accepted) -> AuditRecord:
    """An accepted request's audit record: the channel and the agency's reference, never the person."""
    request = event.request
    return AuditRecord(
        request_id=request.id,
        at=request.source.received_at,
        actor=request.source.agency_code,
        event="received",
        to_state=request.state.value,
        detail={"channel": request.source.channel.value, "reference": request.source.reference},
    )


def _changed(change: StateChange) -> AuditRecord:
    return AuditRecord(
        request_id=change.request_id,
        at=change.at,
        actor=change.actor,
        event=change.event,
        from_state=change.from_state.value,
        to_state=change.to_state.value,
        detail=change.detail,
    )


@cache
def _in_turn(request_columns: tuple[str, ...]) -> tuple[DriverStatement, ...]:
    """SQLite, which has no data-modifying CTEs: the same six rows, a statement each, run on the driver."""
    return (
        DriverStatement(_bound_insert(requests, "r_", request_columns)),
        DriverStatement(_bound_insert(request_bodies, "q_", _REQUEST_BODY_COLUMNS)),
        DriverStatement(_bound_insert(inbound_payloads, "p_", _PAYLOAD_COLUMNS)),
        DriverStatement(_bound_insert(outbox, "o_", OUTBOX_COLUMNS).returning(outbox.c.id)),
        DriverStatement(_bound_insert(outbox_bodies, "b_", ("outbox_id", *BODY_COLUMNS))),
        DriverStatement(audit_insert("a_")),
    )


def _write_in_turn(conn: sa.Connection, request_columns: tuple[str, ...], values: dict[str, object]) -> None:
    """A notice's six rows in its transaction; the message's body under the id the outbox gave the message."""
    request, request_body, payload, message, message_body, audit = _in_turn(request_columns)
    request.rows(conn, values)
    request_body.rows(conn, values)
    payload.rows(conn, values)
    ((outbox_id,),) = message.rows(conn, values)
    message_body.rows(conn, values | {"b_outbox_id": outbox_id})
    audit.rows(conn, values)
