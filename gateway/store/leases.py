"""Leases in the store: one holder at a time for a job that several copies of a worker could each do."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gateway.store.tables import leases


class SqlLeases:
    """Take or renew a named lease; it passes to another holder only once it has expired."""

    def __init__(self, engine: sa.Engine, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._now = now

    def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        """True when `holder` has the lease until now + ttl (renewed if it had it, taken if it had lapsed)."""
        now = self._now()
        with self._engine.begin() as conn:
            renewed = conn.execute(
                leases.update()
                .where(leases.c.name == name, sa.or_(leases.c.holder == holder, leases.c.expires_at < now))
                .values(holder=holder, expires_at=now + ttl)
            ).rowcount
            if renewed:
                return True
            if conn.execute(sa.select(leases.c.name).where(leases.c.name == name)).first() is not None:
                return False
            try:
                with conn.begin_nested():
                    conn.execute(leases.insert().values(name=name, holder=holder, expires_at=now + ttl))
            except sa.exc.IntegrityError:  # another holder took it in the same instant
                return False
            return True

    def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean stop), so another copy need not wait for it to expire."""
        with self._engine.begin() as conn:
            conn.execute(leases.delete().where(leases.c.name == name, leases.c.holder == holder))
