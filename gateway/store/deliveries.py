"""The durable queue of notices back to agencies: claimed when due, every attempt recorded."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.service.ports import DELIVERED, Attempt, Delivery
from gateway.store.engine import READ_ONLY
from gateway.store.tables import deliveries, delivery_attempts, requests

PENDING, PARKED = "pending", "parked"


class SqlDeliveries:
    """Pending notices, claimed one at a time; on PostgreSQL several workers share them (SKIP LOCKED)."""

    def __init__(self, engine: sa.Engine, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._now = now
        self._locking = engine.dialect.name == "postgresql"

    def process_next(self, send: Callable[[Delivery], Attempt], retry_at: Callable[[int], datetime | None]) -> bool:
        """Send the next due notice and record the attempt; False when none is due.

        `retry_at(attempts)` says when to try again after a failure, or None to park the notice.
        """
        earlier = deliveries.alias("earlier")
        query = (
            sa.select(deliveries, _of_notice(requests.c.http_request_id), _of_notice(requests.c.traceparent))
            .where(deliveries.c.state == PENDING, deliveries.c.next_attempt_at <= self._now())
            # One request's notices reach the agency in order: none overtakes an earlier one still pending.
            .where(
                ~sa.exists().where(
                    earlier.c.request_id == deliveries.c.request_id,
                    earlier.c.id < deliveries.c.id,
                    earlier.c.state == PENDING,
                )
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(1)
        )
        if self._locking:
            query = query.with_for_update(skip_locked=True, of=deliveries)
            with self._engine.begin() as conn:
                row = conn.execute(query).first()
                if row is None:
                    return False
                delivery = delivery_from_row(row._mapping)
                self._record(conn, delivery, send(delivery), retry_at)
            return True
        with self._engine.connect().execution_options(**READ_ONLY) as conn:  # SQLite: one worker
            row = conn.execute(query).first()
        if row is None:
            return False
        delivery = delivery_from_row(row._mapping)
        attempt = send(delivery)
        with self._engine.begin() as conn:
            self._record(conn, delivery, attempt, retry_at)
        return True

    def newest_informing(self, request_id: str, events: frozenset[str]) -> int | None:
        """The id of the request's latest notice of one of `events` (an appointment or replacement)."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            found: int | None = conn.scalar(
                sa.select(sa.func.max(deliveries.c.id)).where(
                    deliveries.c.request_id == request_id, deliveries.c.event.in_(sorted(events))
                )
            )
        return found

    def get(self, delivery_id: int) -> Delivery | None:
        """One notice."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).first()
        return None if row is None else delivery_from_row(row._mapping)

    def find(self, state: str | None = None, request_id: str | None = None) -> list[Delivery]:
        """Notices, oldest first, optionally of one state or one request."""
        query = sa.select(deliveries).order_by(deliveries.c.id)
        if state is not None:
            query = query.where(deliveries.c.state == state)
        if request_id is not None:
            query = query.where(deliveries.c.request_id == request_id)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [delivery_from_row(row._mapping) for row in conn.execute(query).all()]

    def attempts(self, delivery_id: int) -> list[Attempt]:
        """Every attempt at one notice, oldest first."""
        columns = (
            delivery_attempts.c.at,
            delivery_attempts.c.outcome,
            delivery_attempts.c.http_status,
            delivery_attempts.c.fault_code,
            delivery_attempts.c.error,
        )
        query = (
            sa.select(*columns).where(delivery_attempts.c.delivery_id == delivery_id).order_by(delivery_attempts.c.id)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [Attempt(*row) for row in conn.execute(query).all()]

    def retry(self, delivery_id: int) -> bool:
        """Put a parked (or pending) notice back to be sent now, with a fresh count of attempts."""
        with self._engine.begin() as conn:
            moved = conn.execute(
                deliveries.update()
                .where(deliveries.c.id == delivery_id, deliveries.c.state.in_([PARKED, PENDING]))
                .values(state=PENDING, attempts=0, next_attempt_at=self._now())
            ).rowcount
        return moved == 1

    def _record(
        self,
        conn: sa.Connection,
        delivery: Delivery,
        attempt: Attempt,
        retry_at: Callable[[int], datetime | None],
    ) -> None:
        conn.execute(
            delivery_attempts.insert().values(
                delivery_id=delivery.id,
                at=attempt.at,
                outcome=attempt.outcome,
                http_status=attempt.http_status,
                fault_code=attempt.fault_code,
                error=(attempt.error or "")[:2000] or None,
            )
        )
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": attempt.error}
        if attempt.outcome == DELIVERED:
            values.update(state=DELIVERED, delivered_at=attempt.at)
        else:
            again = retry_at(attempts)
            if again is None:
                values.update(state=PARKED)
            else:
                values.update(state=PENDING, next_attempt_at=again)
        conn.execute(deliveries.update().where(deliveries.c.id == delivery.id).values(values))


def _of_notice(column: sa.Column[str]) -> sa.Label[str | None]:
    """A column of the request a delivery reports on (its X-Request-Id, its trace), beside the delivery's own."""
    return sa.select(column).where(requests.c.id == deliveries.c.request_id).scalar_subquery().label(column.name)


def delivery_from_row(row: sa.RowMapping) -> Delivery:
    """A deliveries row as a Delivery."""
    return Delivery(
        id=row["id"],
        request_id=row["request_id"],
        agency_code=row["agency_code"],
        idempotency_key=row["idempotency_key"],
        event=row["event"],
        body=dict(row["body"]),
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        http_request_id=row.get("http_request_id"),
        traceparent=row.get("traceparent"),
    )
