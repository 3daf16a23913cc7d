"""The store's side of the deadline watch: open requests by due time, and which warnings each has had (a
warning itself is written by the unit of work, `gateway/store/unit_of_work.py`)."""

from datetime import datetime

import sqlalchemy as sa

from gateway.service.ports import StoredRequest
from gateway.store.engine import READ_ONLY
from gateway.store.requests import SUMMARY_COLUMNS, stored_request
from gateway.store.tables import requests
from gateway.store.unit_of_work import WARNED, clock_running


class SqlDeadlines:
    """Which open requests are at risk or late, and not yet warned of."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def open_requests(self) -> list[StoredRequest]:
        """Requests whose legal clock is running, soonest due first."""
        query = sa.select(*SUMMARY_COLUMNS).where(clock_running()).order_by(requests.c.due_at)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [stored_request(row._mapping) for row in conn.execute(query).all()]

    def unwarned(self, which: str, due_before: datetime) -> list[StoredRequest]:
        """Open requests due before `due_before` that have not had this warning yet."""
        query = (
            sa.select(*SUMMARY_COLUMNS)
            .where(clock_running())
            .where(requests.c.due_at <= due_before, WARNED[which].is_(None))
            .order_by(requests.c.due_at)
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [stored_request(row._mapping) for row in conn.execute(query).all()]
