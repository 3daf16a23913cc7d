"""WS-Security nonces seen inside the replay window, shared by every worker through the store."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gateway.store.driver import DriverStatement
from gateway.store.tables import security_nonces

_PURGE_EVERY = 256  # remembered nonces are purged once per this many calls


class SqlNonceRegistry:
    """Remembers (agency, nonce) pairs; a second sighting inside the window is a replay."""

    def __init__(self, engine: sa.Engine, window: timedelta) -> None:
        self._engine = engine
        self._window = window
        self._calls = 0
        on_postgresql = engine.dialect.name == "postgresql"
        dialect = postgresql if on_postgresql else sqlite
        insert = dialect.insert(security_nonces).on_conflict_do_nothing().returning(security_nonces.c.nonce)
        self._insert = DriverStatement(insert)  # a row back: added; none: seen before
        # PostgreSQL: the insert commits on its own, one round trip; SQLite: in its BEGIN IMMEDIATE transaction.
        self._options = {"isolation_level": "AUTOCOMMIT"} if on_postgresql else {}

    def remember(self, agency_code: str, nonce: str, at: datetime) -> bool:
        """Record the nonce; False if it was already recorded (a replay)."""
        self._calls += 1
        if self._calls % _PURGE_EVERY == 0:
            with self._engine.begin() as conn:
                conn.execute(security_nonces.delete().where(security_nonces.c.seen_at < at - 2 * self._window))
        # Begun explicitly: on SQLite the writers' turn and BEGIN IMMEDIATE come with it (the statement runs on the
        # driver, which begins nothing of its own); on PostgreSQL, autocommit, it begins nothing.
        with self._engine.connect().execution_options(**self._options) as conn, conn.begin():
            added = self._insert.rows(conn, {"agency_code": agency_code, "nonce": nonce, "seen_at": at})
        return len(added) == 1
