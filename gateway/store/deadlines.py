"""The store's side of the deadline watch: open requests by due time, and each warning recorded once."""

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from gateway.data_keys import DataKeyRing
from gateway.domain.enums import RequestState
from gateway.domain.lifecycle import CLOCK_RUNNING
from gateway.ports import AT_RISK, MISSED, OutboxMessage, StoredRequest
from gateway.store.audit import AuditRecord, append_audit
from gateway.store.engine import READ_ONLY
from gateway.store.outbox import add_to_outbox
from gateway.store.requests import SUMMARY_COLUMNS, stored_request
from gateway.store.tables import agencies, requests

INFORM_OBLIGATION = "assign_lawyer_and_inform_agency"  # LAL 36: assigned is not enough, the agency must know
_FLAG = {AT_RISK: requests.c.at_risk_published_at, MISSED: requests.c.missed_published_at}


class SqlDeadlines:
    """Which open requests are at risk or late; a warning is written with a compare-and-set, so once."""

    def __init__(self, engine: sa.Engine, data_keys: DataKeyRing) -> None:
        self._engine = engine
        self._data_keys = data_keys

    def open_requests(self) -> list[StoredRequest]:
        """Requests whose legal clock is running, soonest due first."""
        query = sa.select(*SUMMARY_COLUMNS).where(_clock_running()).order_by(requests.c.due_at)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [stored_request(row._mapping) for row in conn.execute(query).all()]

    def unwarned(self, which: str, due_before: datetime) -> list[StoredRequest]:
        """Open requests due before `due_before` that have not had this warning yet."""
        query = (
            sa.select(*SUMMARY_COLUMNS)
            .where(_clock_running())
            .where(requests.c.due_at <= due_before, _FLAG[which].is_(None))
            .order_by(requests.c.due_at)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [stored_request(row._mapping) for row in conn.execute(query).all()]

    def warn(self, request: StoredRequest, which: str, at: datetime, message: Callable[[], OutboxMessage]) -> bool:
        """Record the warning and queue its event, unless another watcher did first (False)."""
        with self._engine.begin() as conn:
            flags = {_FLAG[which].key: at}
            if which == MISSED:
                flags[_FLAG[AT_RISK].key] = at  # a missed deadline needs no late warning any more
            marked = conn.execute(
                requests.update()
                .where(requests.c.id == request.id, _FLAG[which].is_(None), requests.c.due_at == request.due_at)
                .where(_clock_running())  # answered meanwhile: no warning
                .values(**{key: sa.func.coalesce(requests.c[key], value) for key, value in flags.items()})
            ).rowcount
            if marked != 1:
                return False
            add_to_outbox(conn, [message()], at, self._data_keys)
            warning = AuditRecord(
                request_id=request.id,
                at=at,
                actor="deadlines",
                event=f"deadline_{which}",
                from_state=request.state.value,
                to_state=request.state.value,
                detail={"due_at": request.due_at.isoformat(), "basis": request.deadline_basis},
            )
            append_audit(conn, [warning])
        return True


def _clock_running() -> sa.ColumnElement[bool]:
    """Requests whose legal clock runs: open ones, and assigned ones whose agency is yet to be told."""
    told_by_callback = sa.select(agencies.c.code).where(agencies.c.callback_kind.is_not(None))
    return sa.or_(
        requests.c.state.in_([state.value for state in CLOCK_RUNNING]),
        sa.and_(
            requests.c.state == RequestState.ASSIGNED.value,
            requests.c.deadline_obligation == INFORM_OBLIGATION,
            requests.c.agency_code.in_(told_by_callback),
        ),
    )
