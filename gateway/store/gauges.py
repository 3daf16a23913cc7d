"""What the store says about the pipeline's health, read at each metrics scrape."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.store.audit_sequencer import read_backlog
from gateway.store.engine import READ_ONLY
from gateway.store.tables import deliveries, in_states, outbox, requests


@dataclass(frozen=True)
class StoreGauges:
    """Counts and ages: the outbox backlog, the notices to agencies, the legal clocks, the audit records to link."""

    outbox_unsent: int
    oldest_unsent_age_seconds: float
    deliveries_by_state: dict[str, int]
    deadlines_at_risk: int
    deadlines_missed: int
    audit_unlinked: int = 0
    audit_oldest_unlinked_age_seconds: float = 0.0
    deadlines_calendar_unconfirmed: int = 0


def read_gauges(
    engine: sa.Engine, now: datetime, lead: timedelta, unconfirmed: Sequence[tuple[datetime, datetime]] = ()
) -> StoreGauges:
    """One read-only pass; each count reads an index (unsent outbox rows, deliveries by state, open requests).

    `unconfirmed` are the spans [start, end) of the years whose State Council holiday notice is not loaded: open
    requests due in them were given a deadline from weekends and fixed holidays only.
    """
    running = in_states([state.value for state in CLOCK_RUNNING])
    with engine.connect().execution_options(**READ_ONLY) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL statement_timeout = 2000")  # a scrape never waits long
        unsent, oldest = conn.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
        ).one()
        by_state: dict[str, int] = dict(
            conn.execute(sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)).all()
        )
        missed = conn.scalar(sa.select(sa.func.count()).where(running, requests.c.due_at < now))
        at_risk = conn.scalar(
            sa.select(sa.func.count()).where(running, requests.c.due_at >= now, requests.c.due_at < now + lead)
        )
        backlog = read_backlog(conn)
        guessed = sum(
            conn.scalar(sa.select(sa.func.count()).where(running, requests.c.due_at >= start, requests.c.due_at < end))
            or 0
            for start, end in unconfirmed
        )
    oldest_at = _aware(oldest)
    return StoreGauges(
        outbox_unsent=int(unsent),
        oldest_unsent_age_seconds=max(0.0, (now - oldest_at).total_seconds()) if oldest_at else 0.0,
        deliveries_by_state={str(state): int(count) for state, count in by_state.items()},
        deadlines_at_risk=int(at_risk or 0),
        deadlines_missed=int(missed or 0),
        audit_unlinked=backlog.unlinked,
        deadlines_calendar_unconfirmed=int(guessed),
        # Wall-clock time on both sides: records are stamped with it when written.
        audit_oldest_unlinked_age_seconds=backlog.oldest_age_seconds(datetime.now(UTC)),
    )


def _aware(value: datetime | None) -> datetime | None:
    """min() over a UtcDateTime column comes back raw from some drivers: naive UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
