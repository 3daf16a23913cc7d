"""The outbox: rows written with their body sealed in a table beside them; the relay claims unsent rows, marks them
sent once confirmed."""

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

import psycopg
import sqlalchemy as sa
from psycopg.rows import namedtuple_row

from gateway.domain.enums import RequestState
from gateway.security.data_keys import DataKeyRing
from gateway.service.ports import Confirmations, OutboxMessage, one_at_a_time
from gateway.store.audit import records_from
from gateway.store.engine import READ_ONLY
from gateway.store.sealed import open_outbox_body, outbox_context
from gateway.store.tables import UtcDateTime, audit_log, outbox, outbox_bodies, requests

RELAY_ACTOR = "relay"
# PostgreSQL channel every transaction that adds outbox rows notifies, delivered at its commit: a trigger on the
# outbox rings it (migration 0010), so no writer spends a round trip on it.
OUTBOX_CHANNEL = "lagw_outbox"
# The claim walks the unsent index in id order, stopping at the pass's size: planned on statistics from before a
# backlog (a young table, or a broker outage), it would fetch and sort the whole backlog on every pass. (The
# marks keep their synchronous commit: a request's next message is claimed once its earlier one is marked, so a
# mark lost in a crash could let a withdrawal go out before its request went out again.)
CLAIM_SETTINGS = sa.text("SET LOCAL enable_sort TO OFF")
# What a pass reads of its rows: what it publishes and what it marks.
# One of them, read by attribute: SQLAlchemy's row (SQLite) or psycopg's named tuple (PostgreSQL).
ClaimedRow: TypeAlias = Any
_CLAIMED = ("id", "message_id", "request_id", "exchange", "routing_key", "headers", "content_type", "correlation_id")
_CLAIMED_BODY = ("body", "sealed_with")


@dataclass(frozen=True)
class BatchResult:
    """What one pass over the outbox did."""

    claimed: int
    sent: int
    refused: int


# The columns `outbox_row` gives, and those of the body's row besides its outbox id.
OUTBOX_COLUMNS = (
    "message_id",
    "request_id",
    "exchange",
    "routing_key",
    "headers",
    "content_type",
    "correlation_id",
    "created_at",
    "attempts",
)
BODY_COLUMNS = ("message_id", "body", "sealed_with")
# A message's two rows: the outbox row and its body's.
OutboxRows: TypeAlias = tuple[dict[str, object], dict[str, object]]
_INSERT_ROWS = outbox.insert().returning(outbox.c.id, sort_by_parameter_order=True)
_INSERT_BODIES = outbox_bodies.insert()


def outbox_row(message: OutboxMessage, at: datetime, data_keys: DataKeyRing) -> OutboxRows:
    """The insert values for a message: its outbox row, and its body's row with the body sealed until the relay
    publishes it (the outbox id to be added once the store has given it)."""
    row: dict[str, object] = {
        "message_id": message.message_id,
        "request_id": message.request_id,
        "exchange": message.exchange,
        "routing_key": message.routing_key,
        "headers": message.headers,
        "content_type": message.content_type,
        "correlation_id": message.correlation_id,
        "created_at": at,
        "attempts": 0,
    }
    body: dict[str, object] = {
        "message_id": message.message_id,
        "body": data_keys.seal(message.body, outbox_context(message.message_id)),
        "sealed_with": data_keys.current_id,
    }
    return row, body


def insert_outbox(conn: sa.Connection, rows: list[OutboxRows]) -> None:
    """Insert the messages' outbox rows, then their bodies under the ids the store gave them: two statements (on
    PostgreSQL the first rings the relays' bell at commit)."""
    if not rows:
        return
    ids = conn.execute(_INSERT_ROWS, [row for row, _ in rows]).scalars().all()
    conn.execute(_INSERT_BODIES, [body | {"outbox_id": row_id} for (_, body), row_id in zip(rows, ids, strict=True)])


def add_to_outbox(conn: sa.Connection, messages: list[OutboxMessage], at: datetime, data_keys: DataKeyRing) -> None:
    """Insert the messages' rows, all created at `at`."""
    insert_outbox(conn, [outbox_row(message, at, data_keys) for message in messages])


class SqlOutbox:
    """Claims pending rows; on PostgreSQL several relays share them with SKIP LOCKED."""

    def __init__(
        self,
        engine: sa.Engine,
        data_keys: DataKeyRing,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        retry_after: timedelta = timedelta(seconds=30),
    ) -> None:
        self._engine = engine
        self._data_keys = data_keys
        self._now = now
        self._retry_after = retry_after
        self._locking = engine.dialect.name == "postgresql"
        self._due = self._due_query()  # built once
        if not self._locking:  # the rows in flight, named in a JSON array
            in_flight = sa.func.json_each(sa.bindparam("besides", type_=sa.String)).table_valued("value")
            self._due_besides = self._due.where(outbox.c.id.not_in(sa.select(in_flight.c.value)))
        else:
            claim = self._due.limit(sa.bindparam("limit")).with_for_update(of=outbox, skip_locked=True)
            compiled = claim.compile(dialect=engine.dialect)  # the subquery's LIMIT 1 is among its parameters
            self._claim_sql = compiled.string
            self._claim_params = compiled.construct_params({"now": None, "limit": 0})
        self._mark_sent = mark_sent_statements(self._locking)

    def process_batch(self, limit: int, publish: Callable[[OutboxMessage], None]) -> BatchResult:
        """Publish up to `limit` pending rows one by one through `publish` (PublishRefused for a refusal)."""
        return self.relay_pass(limit, one_at_a_time(publish))

    def relay_pass(self, limit: int, publish_all: Callable[[list[OutboxMessage]], Confirmations]) -> BatchResult:
        """Publish up to `limit` pending rows through `publish_all` and record what the broker confirmed.

        A pass holds at most one message of a request (a later one waits until the earlier is confirmed), so
        its messages may be confirmed together in any order. Rows are marked sent only once confirmed; if the
        broker went away mid-pass, the confirmed rows are marked, the error propagates, the rest stay pending.
        """
        claim = self.claim(limit)
        try:
            said = publish_all(claim.messages) if claim.messages else Confirmations()
        except BaseException:
            claim.release()
            raise
        result = claim.record(said)
        if said.interrupted is not None:
            raise said.interrupted
        return result

    def claim(self, limit: int, besides: Collection[int] = ()) -> "Claim":
        """Up to `limit` rows due now, none of them in `besides` (rows of a pass still awaiting its confirms).

        A request's messages go out in order: a row is due only when it is its request's first unsent one, so a
        withdrawal never overtakes its request, even when another pass holds the request's row or the broker
        refused it and it waits to be retried. On PostgreSQL the rows stay locked (another relay skips them)
        until the claim is recorded or released; `besides` are then this relay's own open claims, which their
        locks already keep out (SKIP LOCKED), so they are not listed in the query: a thousand parameters rendered
        and parsed afresh on every pass took as long as the rest of the claim's work in the relay.
        """
        if not self._locking:
            # SQLite has one relay; read without holding the write lock while publishing. The rows in flight are
            # named in one parameter, a JSON array: two passes of them would pass SQLite's 999 bound variables
            # (before 3.32), and reading them only to drop them tripled the rows a pass read and decoded.
            with self._engine.connect().execution_options(**READ_ONLY) as conn:
                found = conn.execute(
                    self._due_besides.limit(limit), {"now": self._now(), "besides": json.dumps(list(besides))}
                ).all()
            return Claim(self, None, list(found))
        conn = self._engine.connect()
        try:
            conn.begin()
            conn.execute(CLAIM_SETTINGS)
            rows = self._fetch_claim(conn, limit)
            if rows:
                return Claim(self, conn, rows)
        except BaseException:
            conn.close()
            raise
        conn.close()  # nothing held
        return Claim(self, None, rows)

    def _fetch_claim(self, conn: sa.Connection, limit: int) -> list[ClaimedRow]:
        """The claim's rows on PostgreSQL, read in binary: a body comes as its bytes, not as hex text twice its
        size for the server to write and the relay to decode (most of the time the claim spent reading its rows).
        SQLAlchemy asks psycopg for text results only, so the statement it compiled runs on psycopg's cursor."""
        now = UtcDateTime().process_bind_param(self._now(), conn.dialect)
        driver = conn.connection.driver_connection
        try:
            with driver.cursor(binary=True, row_factory=namedtuple_row) as cursor:  # type: ignore[union-attr]
                rows: list[ClaimedRow] = cursor.execute(
                    self._claim_sql, {**self._claim_params, "now": now, "limit": limit}
                ).fetchall()
                return rows
        except psycopg.OperationalError as exc:  # the store went away: as SQLAlchemy says it, and the link dropped
            conn.invalidate()
            raise sa.exc.OperationalError(self._claim_sql, None, exc) from exc

    def pending_count(self) -> int:
        """Rows not yet confirmed by the broker."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return int(
                conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0
            )

    @staticmethod
    def _due_query() -> sa.Select[tuple[object, ...]]:
        # A scalar subquery rather than NOT EXISTS: PostgreSQL runs it per candidate through the unsent-request
        # index, where an anti-join planned on a young table's statistics scanned that index whole for each row.
        earlier = outbox.alias("earlier")
        first_unsent = (
            sa.select(earlier.c.id)
            .where(earlier.c.request_id == outbox.c.request_id, earlier.c.sent_at.is_(None))
            .order_by(earlier.c.request_id, earlier.c.id)  # the order of ix_outbox_unsent_request
            .limit(1)
            .scalar_subquery()
        )
        now = sa.bindparam("now", type_=outbox.c.created_at.type)
        return (
            sa.select(*(outbox.c[name] for name in _CLAIMED), *(outbox_bodies.c[name] for name in _CLAIMED_BODY))
            .select_from(outbox.join(outbox_bodies, outbox_bodies.c.outbox_id == outbox.c.id))
            .where(outbox.c.sent_at.is_(None))
            .where(sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
            .where(sa.or_(outbox.c.request_id.is_(None), outbox.c.id == first_unsent))
            .order_by(outbox.c.id)
        )

    def _finish(self, conn: sa.Connection | None, rows: list[ClaimedRow], said: Confirmations) -> BatchResult:
        """Mark what the broker confirmed or refused; on PostgreSQL in the claim's transaction, which ends."""
        by_message = {row.message_id: row for row in rows}
        sent = [(by_message[mid].id, by_message[mid].request_id) for mid in said.confirmed if mid in by_message]
        refused = [(by_message[mid].id, reason) for mid, reason in said.refused.items() if mid in by_message]
        self._record(conn, sent, refused)
        return BatchResult(claimed=len(rows), sent=len(sent), refused=len(refused))

    def _record(
        self, conn: sa.Connection | None, sent: list[tuple[int, str | None]], refused: list[tuple[int, str]]
    ) -> None:
        if conn is None:
            if sent or refused:
                with self._engine.begin() as own:
                    self._write_marks(own, sent, refused)
            return
        if sent or refused:
            self._write_marks(conn, sent, refused)
        conn.commit()  # the marks, and the end of the claim's locks

    def _write_marks(
        self, conn: sa.Connection, sent: list[tuple[int, str | None]], refused: list[tuple[int, str]]
    ) -> None:
        """The pass's marks: its confirmed rows sent, their requests received → queued with an audit record each
        (a request withdrawn meanwhile keeps its state), the refused rows due again later."""
        now = self._now()
        if sent:
            values = {"ids": [row_id for row_id, _ in sent], "now": now, "queued_at": datetime.now(UTC)}
            for statement in self._mark_sent:
                conn.execute(statement, values)
        for row_id, error in refused:
            conn.execute(
                outbox.update()
                .where(outbox.c.id == row_id)
                .values(
                    attempts=outbox.c.attempts + 1, last_error=error[:2000], next_attempt_at=now + self._retry_after
                )
            )

    def _message(self, row: ClaimedRow) -> OutboxMessage:
        """The row as the message to publish: its body opened, clear for the bus."""
        return OutboxMessage(
            message_id=row.message_id,
            exchange=row.exchange,
            routing_key=row.routing_key,
            body=open_outbox_body(self._data_keys, row.message_id, bytes(row.body), row.sealed_with),
            headers=dict(row.headers),
            content_type=row.content_type,
            correlation_id=row.correlation_id,
            request_id=row.request_id,
        )


def mark_sent_statements(postgresql: bool) -> tuple[sa.Executable, ...]:
    """A pass's confirmed rows marked sent, their requests moved received → queued, an audit record for each one
    moved: on PostgreSQL one statement (two data-modifying CTEs feeding the audit insert), on SQLite three, in
    the same transaction. Bound: `ids` (the outbox rows), `now`, `queued_at` (the audit backlog's wall clock)."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=not postgresql)
    now = sa.bindparam("now", type_=outbox.c.sent_at.type)
    if postgresql:
        # The claim holds these rows' locks: no other relay marks them. Without `sent_at IS NULL` the rows are found
        # by their keys; with it, a young table's statistics sent the update through the whole unsent index.
        mark = outbox.update().where(outbox.c.id == sa.any_(ids))
    else:
        mark = outbox.update().where(outbox.c.sent_at.is_(None), outbox.c.id.in_(ids))
    mark = mark.values(sent_at=now, attempts=outbox.c.attempts + 1, last_error=None)
    received = requests.c.state == RequestState.RECEIVED.value
    if postgresql:
        marked = mark.returning(outbox.c.request_id).cte("marked")
        moved = (
            requests.update()
            .where(requests.c.id.in_(sa.select(marked.c.request_id)), received)
            .values(state=RequestState.QUEUED.value, updated_at=now, version=requests.c.version + 1)
            .returning(requests.c.id)
            .cte("moved")
        )
        return (_queued_records(sa.select(moved.c.id)).add_cte(marked, moved),)
    theirs = sa.select(outbox.c.request_id).where(outbox.c.id.in_(ids), outbox.c.request_id.is_not(None))
    move = (
        requests.update()
        .where(requests.c.id.in_(theirs), received)
        .values(state=RequestState.QUEUED.value, updated_at=now, version=requests.c.version + 1)
    )
    # SQLite writes one transaction at a time: the records are read off the requests before they move.
    records = _queued_records(sa.select(requests.c.id).where(requests.c.id.in_(theirs), received))
    return records, move, mark


def _queued_records(moved_ids: sa.Select[tuple[str]]) -> sa.Insert:
    """The relay's audit record for each request id `moved_ids` yields: received → queued, unlinked."""
    rows = moved_ids.add_columns(
        sa.bindparam("now", type_=audit_log.c.at.type),
        sa.literal(RELAY_ACTOR),
        sa.literal("queued"),
        sa.literal(RequestState.RECEIVED.value),
        sa.literal(RequestState.QUEUED.value),
        sa.bindparam("queued_at", type_=audit_log.c.queued_at.type),
    )
    return records_from(rows)


class Claim:
    """The rows of one relay pass, as messages to publish; on PostgreSQL locked until recorded or released."""

    def __init__(self, outbox: SqlOutbox, conn: sa.Connection | None, rows: list[ClaimedRow]) -> None:
        self._outbox = outbox
        self.conn = conn
        self.rows = rows
        self.ids = [row.id for row in rows]
        self.messages = [outbox._message(row) for row in rows]

    def record(self, said: Confirmations) -> BatchResult:
        """Mark the rows the broker confirmed as sent (and their requests queued), the refused ones for a retry."""
        try:
            return self._outbox._finish(self.conn, self.rows, said)
        finally:
            self.release()

    def release(self) -> None:
        """Let the rows go unmarked (they are claimed again later); never raises."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()  # rolls back
            except sa.exc.SQLAlchemyError:
                pass
