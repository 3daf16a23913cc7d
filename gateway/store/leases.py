"""Leases in the store: one holder at a time for a job that several copies of a worker could each do."""

import os
import socket
import uuid
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


class Lease:
    """One named lease as a worker of this process holds it; without a store of leases, always held."""

    def __init__(self, leases: SqlLeases | None, name: str) -> None:
        self._leases = leases
        self.name = name
        self.holder = f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # fits leases.holder

    def hold(self, interval: float) -> bool:
        """Take or renew the lease for a little over two passes of `interval` seconds."""
        if self._leases is None:
            return True
        return self._leases.acquire(self.name, self.holder, timedelta(seconds=2 * interval + 10))

    def release(self) -> None:
        """Give it up at once (a clean stop)."""
        if self._leases is not None:
            self._leases.release(self.name, self.holder)
